// RAII ownership of a libpq query result.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include <libpq-fe.h>

namespace libwatch::pg {

struct result_deleter {
  void operator()(PGresult* ptr) const noexcept {
    PQclear(ptr);
  }
};

/// A successful query result. Values are views into libpq's buffer: copy
/// them before the result goes away.
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
