// Walks what `pg_recvlogical --plugin=pgoutput -f -` writes: every pgoutput
// message of the stream, raw (protocol version 1, big-endian), followed by a
// '\n' that pg_recvlogical adds. The '\n' frames nothing (tuple data may
// contain it), so the reader follows each message's own layout to find its
// end, and checks the '\n' there: a stream it misreads stops the benchmark
// instead of miscounting. Only what the benchmark needs is kept: the type of
// each message and, for inserts and updates, the new row's column texts by
// name (from the relation messages that precede them). Layouts: PostgreSQL's
// "Logical Replication Message Formats" (shared/WAL-NOTES.md §4).
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace libwatch_bench {

/// One row change of the stream: its type ('I', 'U', 'D') and the new row's
/// column texts (`std::nullopt` for NULL, unchanged TOAST or binary).
struct pgoutput_change {
  char type = 0;
  std::vector<std::optional<std::string_view>> columns;
  const std::vector<std::string>* names = nullptr;

  /// The text of column `name`, if the row carries it.
  std::optional<std::string_view> find(std::string_view name) const {
    for (size_t i = 0; names && i < names->size() && i < columns.size(); ++i)
      if ((*names)[i] == name)
        return columns[i];
    return std::nullopt;
  }
};

class pgoutput_reader {
public:
  /// Reads the message at the start of `bytes`. Returns how many bytes it
  /// took (message and '\n'), or 0 when `bytes` holds only part of it. A row
  /// change is stored in `change` (type 0 otherwise); views point into
  /// `bytes`. Throws std::runtime_error on anything that is not pgoutput.
  size_t next(std::string_view bytes, pgoutput_change& change) {
    change.type = 0;
    cursor c{bytes};
    try {
      message(c, change);
      if (c.byte() != '\n')
        throw std::runtime_error("pgoutput message not followed by '\\n'");
    } catch (const incomplete&) {
      change.type = 0;
      return 0;
    }
    return c.pos;
  }

private:
  struct incomplete {};

  struct cursor {
    std::string_view in;
    size_t pos = 0;

    void need(size_t n) const {
      if (in.size() - pos < n)
        throw incomplete{};
    }
    char byte() {
      need(1);
      return in[pos++];
    }
    uint64_t uint(int bytes) {
      need(static_cast<size_t>(bytes));
      uint64_t v = 0;
      for (int i = 0; i < bytes; ++i)
        v = v << 8 | static_cast<unsigned char>(in[pos++]);
      return v;
    }
    std::string_view take(size_t n) {
      need(n);
      auto v = in.substr(pos, n);
      pos += n;
      return v;
    }
    std::string_view str() { // NUL-terminated
      auto end = in.find('\0', pos);
      if (end == std::string_view::npos)
        throw incomplete{};
      auto v = in.substr(pos, end - pos);
      pos = end + 1;
      return v;
    }
  };

  void message(cursor& c, pgoutput_change& change) {
    switch (char type = c.byte()) {
      case 'B': // final_lsn, commit_ts, xid
        c.take(8 + 8 + 4);
        return;
      case 'C': // flags, commit_lsn, end_lsn, commit_ts
        c.take(1 + 8 + 8 + 8);
        return;
      case 'O': // origin_lsn, name
        c.take(8);
        c.str();
        return;
      case 'Y': // type oid, namespace, name
        c.take(4);
        c.str();
        c.str();
        return;
      case 'R':
        relation(c);
        return;
      case 'I':
        change.names = &relations_[static_cast<uint32_t>(c.uint(4))];
        expect(c, 'N');
        tuple(c, &change.columns);
        change.type = type;
        return;
      case 'U': {
        change.names = &relations_[static_cast<uint32_t>(c.uint(4))];
        char kind = c.byte();
        if (kind == 'K' || kind == 'O') { // old row or key, then the new one
          tuple(c, nullptr);
          kind = c.byte();
        }
        if (kind != 'N')
          throw std::runtime_error("pgoutput update without a new row");
        tuple(c, &change.columns);
        change.type = type;
        return;
      }
      case 'D':
        c.take(4);
        c.byte(); // 'K' or 'O'
        tuple(c, nullptr);
        change.type = type;
        return;
      case 'T': { // nrels, options, relids
        auto n = c.uint(4);
        c.take(1 + 4 * n);
        return;
      }
      case 'M': { // flags, lsn, prefix, content
        c.take(1 + 8);
        c.str();
        c.take(c.uint(4));
        return;
      }
      default:
        throw std::runtime_error(std::string{"unknown pgoutput message '"}
                                 + type + "'");
    }
  }

  void relation(cursor& c) {
    auto relid = static_cast<uint32_t>(c.uint(4));
    c.str();  // namespace
    c.str();  // name
    c.byte(); // replica identity
    auto n = c.uint(2);
    std::vector<std::string> names;
    for (uint64_t i = 0; i < n; ++i) {
      c.byte(); // flags
      names.emplace_back(c.str());
      c.take(4 + 4); // type oid, typmod
    }
    // Stored only once the whole message is here (next() may retry it).
    relations_[relid] = std::move(names);
  }

  static void expect(cursor& c, char want) {
    if (c.byte() != want)
      throw std::runtime_error(std::string{"pgoutput: expected '"} + want
                               + "'");
  }

  static void tuple(cursor& c,
                    std::vector<std::optional<std::string_view>>* out) {
    auto n = c.uint(2);
    if (out)
      out->assign(n, std::nullopt);
    for (uint64_t i = 0; i < n; ++i) {
      switch (c.byte()) {
        case 'n':
        case 'u':
          break;
        case 't': {
          auto text = c.take(c.uint(4));
          if (out)
            (*out)[i] = text;
          break;
        }
        case 'b':
          c.take(c.uint(4));
          break;
        default:
          throw std::runtime_error("pgoutput: unknown tuple column kind");
      }
    }
  }

  std::unordered_map<uint32_t, std::vector<std::string>> relations_;
};

} // namespace libwatch_bench
