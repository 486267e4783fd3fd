// RAII ownership of a libpq query result.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <libpq-fe.h>

namespace libwatch::pg {

struct result_deleter {
  void operator()(PGresult* ptr) const noexcept {
    PQclear(ptr);
  }
};

/// A successful query result. Values are views into libpq's buffer: copy
/// them before the result goes away. Read columns by the name the query
/// gives them (`AS name` where the server would invent one), so a reader
/// does not silently depend on the order of the select list.
class result {
public:
  explicit result(PGresult* ptr) noexcept : ptr_(ptr) {
    // nop
  }

  int rows() const noexcept {
    return PQntuples(ptr_.get());
  }

  int columns() const noexcept {
    return PQnfields(ptr_.get());
  }

  bool is_null(int row, int column) const noexcept {
    return PQgetisnull(ptr_.get(), row, column) != 0;
  }

  std::string_view get(int row, int column) const noexcept {
    return {PQgetvalue(ptr_.get(), row, column),
            static_cast<size_t>(PQgetlength(ptr_.get(), row, column))};
  }

  /// The number of the column called `name` (PQfnumber's rules: write it in
  /// lower case). A name the result lacks means the query and its reader
  /// disagree, a bug rather than a runtime condition: throws
  /// `std::logic_error` naming the column instead of reading out of bounds.
  int column(std::string_view name) const {
    std::string key{name};
    auto index = PQfnumber(ptr_.get(), key.c_str());
    if (index < 0)
      throw std::logic_error("query result has no column \"" + key + "\"");
    return index;
  }

  bool is_null(int row, std::string_view column_name) const {
    return is_null(row, column(column_name));
  }

  std::string_view get(int row, std::string_view column_name) const {
    return get(row, column(column_name));
  }

  /// Rows an INSERT, UPDATE or DELETE affected (0 for other statements).
  uint64_t affected_rows() const {
    std::string_view text{PQcmdTuples(ptr_.get())};
    uint64_t n = 0;
    for (char c : text)
      n = n * 10 + static_cast<uint64_t>(c - '0');
    return n;
  }

private:
  std::unique_ptr<PGresult, result_deleter> ptr_;
};

} // namespace libwatch::pg
