// Maps that create a topic per requested value (by_key and by_column topics,
// here and on subscriber nodes) forget the topics nobody uses any more, so
// subscriptions to ever new keys do not pile up. A sweep runs when the map
// has doubled since the last one: amortized constant work per new topic.
#pragma once

#include <algorithm>
#include <cstddef>

namespace libwatch {

class topic_sweeper {
public:
  /// Call before inserting into `map`, with the lock that guards it held.
  /// Erases every entry for which `unused(entry)` holds, calling
  /// `retire(entry)` first, once the map has grown enough.
  template <class Map, class Unused, class Retire>
  void before_insert(Map& map, Unused unused, Retire retire) {
    if (map.size() + 1 < threshold_)
      return;
    for (auto i = map.begin(); i != map.end();) {
      if (unused(*i)) {
        retire(*i);
        i = map.erase(i);
      } else {
        ++i;
      }
    }
    threshold_ = std::max(min_threshold, map.size() * 2);
  }

private:
  // Small maps are never swept: a few idle topics cost less than sweeping.
  static constexpr size_t min_threshold = 64;
  size_t threshold_ = min_threshold;
};

} // namespace libwatch
