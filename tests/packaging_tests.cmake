# Packaging (issue 14): the .deb built by scripts/package.sh, installed into a throw-away root.
# tests/packaging/package_test.sh packs the snprelay binary of this build tree, installs the package with
# `dpkg --root --force-script-chrootless`, checks files, modes, the conffile, the snprelay user, the unit
# (systemd-analyze verify) and both example configurations, then upgrades and purges it. It exits 77
# (skipped) only when dpkg, dpkg-deb or systemd-analyze is missing; without root it runs under fakeroot.
# The build directory is given as the snprelay target's (DIR/bin/snprelay), so the test names the target it
# packs; scripts/build.sh builds it before ctest runs.
add_test(NAME packaging.deb
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/packaging/package_test.sh $<TARGET_FILE_DIR:snprelay>/..
          ${CMAKE_SOURCE_DIR})
set_tests_properties(packaging.deb PROPERTIES
  LABELS integration
  SKIP_RETURN_CODE 77
  TIMEOUT 120
  RESOURCE_LOCK snprelay_package)

# The unit's SystemCallFilter= against what the daemon really calls: `snprelay start` with the devnet
# profile under strace, as an unprivileged user, serving /metrics and a simulated report, then SIGTERM.
# Skipped (77) without strace, setpriv or systemd-analyze.
add_test(NAME packaging.syscall_filter
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/packaging/syscall_filter_test.sh $<TARGET_FILE_DIR:snprelay>/..
          ${CMAKE_SOURCE_DIR})
set_tests_properties(packaging.syscall_filter PROPERTIES
  LABELS integration
  SKIP_RETURN_CODE 77
  TIMEOUT 180)

# The alert rules under promtool: they parse, and alerts_test.yml's series make each fire (and a healthy
# daemon's make none). Skipped (77) without promtool.
add_test(NAME packaging.alert_rules
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/packaging/alert_rules_test.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(packaging.alert_rules PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 60)
