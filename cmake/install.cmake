# Install rules and the CMake package, so consumers can
# find_package(libwatch) and link libwatch::libwatch.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS libwatch EXPORT libwatchTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})

# Headers keep their in-tree paths below include/libwatch, which is the
# include directory consumers get: "libwatch/libwatch.hpp", "actors/...".
# The TOML loader's internals stay out: they include toml++, a private
# dependency, and users load files through config/loader.hpp.
set(config_loader_internals
  document_reader field_readers phrases problem_locations read_context
  schema section_reader section_readers table_reader watcher_entry)
set(internal_patterns)
foreach(name IN LISTS config_loader_internals)
  list(APPEND internal_patterns PATTERN "config/${name}.hpp" EXCLUDE)
endforeach()
foreach(dir libwatch actors config)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/libwatch
          FILES_MATCHING PATTERN "*.hpp" ${internal_patterns})
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
