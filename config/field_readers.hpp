// Readers for keys that set one field as they are, by the field's type. The
// schema names the field as a path of members from what is read into, e.g.
// `read_duration<&watch_config::reconnect, &reconnect_policy::initial>`, so
// the key, its type and its field are declared in one line.
#pragma once

#include "config/schema.hpp"
#include "config/table_reader.hpp"

namespace libwatch::config {

/// The class whose member the first of `Fields` is: what is read into.
template <auto First, auto... Rest>
struct target_of;

template <class Target, class Member, Member Target::*First, auto... Rest>
struct target_of<First, Rest...> {
  using type = Target;
};

template <auto... Fields>
using target_of_t = typename target_of<Fields...>::type;

/// `x.*First.*Rest...`: the field a member path leads to.
template <auto First, auto... Rest, class Target>
auto& field(Target& x) {
  if constexpr (sizeof...(Rest) == 0)
    return x.*First;
  else
    return field<Rest...>(x.*First);
}

/// Reads the key with `Read`, one of table_reader's typed accessors that
/// takes nothing but the key, into the field.
template <auto Read, auto... Fields>
void read_with(table_reader& in, const key_def& key,
               target_of_t<Fields...>& out) {
  if (auto x = (in.*Read)(key.name))
    field<Fields...>(out) = *x;
}

template <auto... Fields>
constexpr auto read_string = read_with<&table_reader::string, Fields...>;

template <auto... Fields>
constexpr auto read_boolean = read_with<&table_reader::boolean, Fields...>;

/// An integer or a float.
template <auto... Fields>
constexpr auto read_number = read_with<&table_reader::number, Fields...>;

template <auto... Fields>
constexpr auto read_duration = read_with<&table_reader::duration, Fields...>;

/// A non-negative integer; `key.if_invalid` says what to write instead of
/// a negative one.
template <auto... Fields>
void read_count(table_reader& in, const key_def& key,
                target_of_t<Fields...>& out) {
  if (auto x = in.count(key.name, key.if_invalid))
    field<Fields...>(out) = *x;
}

/// An enum read by its `Parse` function; `Values` is its `all_...` array.
template <auto Parse, const auto& Values, auto... Fields>
void read_choice(table_reader& in, const key_def& key,
                 target_of_t<Fields...>& out) {
  if (auto x = in.choice(key.name, Parse, Values))
    field<Fields...>(out) = *x;
}

} // namespace libwatch::config
