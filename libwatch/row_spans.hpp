// Finds where each row of a statement-level chunk sits in the payload text,
// so a row's change can carry its exact JSON (simdjson's DOM keeps no source
// positions, and re-serialising would change the bytes).
#pragma once

#include <string_view>
#include <vector>

namespace libwatch {

/// Fills `out` with the text of each element of the top-level `"rows"`
/// array of `payload`, in order, without surrounding whitespace. `payload`
/// must already have been accepted as valid JSON. Returns false when there
/// is no top-level key spelled exactly `"rows"` holding an array.
bool split_rows(std::string_view payload, std::vector<std::string_view>& out);

} // namespace libwatch
