# Install rules and the CMake package, so consumers can
# find_package(libwatch) and link libwatch::libwatch.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS libwatch EXPORT libwatchTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})

# Headers keep their in-tree paths below include/libwatch, which is the
# include directory consumers get: "libwatch/libwatch.hpp", "actors/...".
foreach(dir libwatch actors config)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/libwatch
          FILES_MATCHING PATTERN "*.hpp")
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
