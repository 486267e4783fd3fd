# Install rules and the CMake package, so consumers can
# find_package(libwatch) and link libwatch::libwatch.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS libwatch EXPORT libwatchTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})

# Only the public API is installed: the umbrella and what it includes. The
# headers keep their in-tree paths below include/libwatch, the include
# directory consumers get ("libwatch.hpp", "actors/instance.hpp", ...).
# Everything else (libpq wrappers, SQL generation, internal actors, the TOML
# reader) stays in the source tree; scripts/check_public_headers.sh keeps
# this list equal to what libwatch.hpp includes.
set(libwatch_public_headers
  libwatch.hpp
  actors/instance.hpp
  actors/instance_actor.hpp
  actors/remote_instance.hpp
  actors/subscription.hpp
  config/loader.hpp
  libwatch/atoms.hpp
  libwatch/change.hpp
  libwatch/column_info.hpp
  libwatch/delivery.hpp
  libwatch/details.hpp
  libwatch/error.hpp
  libwatch/event.hpp
  libwatch/fwd.hpp
  libwatch/signals.hpp
  libwatch/status.hpp
  libwatch/trigger_level.hpp
  libwatch/watch_source.hpp
  libwatch/type_ids.hpp
  libwatch/value.hpp
  libwatch/watch_config.hpp
  libwatch/watcher_spec.hpp)
foreach(header IN LISTS libwatch_public_headers)
  get_filename_component(subdir ${header} DIRECTORY)
  install(FILES ${PROJECT_SOURCE_DIR}/${header}
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/libwatch/${subdir})
endforeach()

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/libwatch)
install(EXPORT libwatchTargets NAMESPACE libwatch:: DESTINATION ${config_dir})
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/libwatchConfig.cmake.in
  ${PROJECT_BINARY_DIR}/libwatchConfig.cmake INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/libwatchConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/libwatchConfig.cmake
              ${PROJECT_BINARY_DIR}/libwatchConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindCAF.cmake
        DESTINATION ${config_dir})
