# package.cmake - Debian packages with CPack, from a build configured with
# CMAKE_INSTALL_PREFIX=/usr (the default here):
#   cd build && cpack -G DEB
# makes minping-kiosk_<v>_<arch>.deb, minping-office_<v>_<arch>.deb,
# minping-survey_<v>_<arch>.deb (the online survey server, for the portal)
# and minping-common_<v>_all.deb (the message catalogues they all read).
# Dependencies come from dpkg-shlibdeps.  tests/package/check-deb.sh builds
# them, runs lintian and checks the unit with systemd-analyze verify.

set(MINPING_PKG_DOC "share/doc")
# Each package's /usr/share/doc/<package>: copyright and a compressed changelog.
foreach(pkg minping-kiosk minping-office minping-survey minping-common)
  set(PKG ${pkg})
  set(VERSION ${PROJECT_VERSION})
  configure_file(${CMAKE_CURRENT_SOURCE_DIR}/packaging/copyright.in
    ${CMAKE_BINARY_DIR}/packaging/${pkg}/copyright @ONLY)
  configure_file(${CMAKE_CURRENT_SOURCE_DIR}/packaging/changelog.in
    ${CMAKE_BINARY_DIR}/packaging/${pkg}/changelog @ONLY)
endforeach()
# gzip -9n: no name or time stamp inside, as Debian policy asks.
set(MINPING_CHANGELOGS)
foreach(pkg minping-kiosk minping-office minping-survey minping-common)
  set(gz ${CMAKE_BINARY_DIR}/packaging/${pkg}/changelog.gz)
  add_custom_command(OUTPUT ${gz}
    COMMAND gzip -9nfk ${CMAKE_BINARY_DIR}/packaging/${pkg}/changelog
    DEPENDS ${CMAKE_BINARY_DIR}/packaging/${pkg}/changelog
    VERBATIM)
  list(APPEND MINPING_CHANGELOGS ${gz})
endforeach()
add_custom_target(minping_changelogs ALL DEPENDS ${MINPING_CHANGELOGS})

install(FILES ${CMAKE_BINARY_DIR}/packaging/minping-kiosk/copyright
  ${CMAKE_BINARY_DIR}/packaging/minping-kiosk/changelog.gz ${CMAKE_SOURCE_DIR}/README.md
  DESTINATION ${MINPING_PKG_DOC}/minping-kiosk COMPONENT kiosk)
install(FILES ${CMAKE_BINARY_DIR}/packaging/minping-office/copyright
  ${CMAKE_BINARY_DIR}/packaging/minping-office/changelog.gz
  DESTINATION ${MINPING_PKG_DOC}/minping-office COMPONENT office)
install(FILES ${CMAKE_BINARY_DIR}/packaging/minping-survey/copyright
  ${CMAKE_BINARY_DIR}/packaging/minping-survey/changelog.gz
  DESTINATION ${MINPING_PKG_DOC}/minping-survey COMPONENT survey)
install(FILES ${CMAKE_BINARY_DIR}/packaging/minping-common/copyright
  ${CMAKE_BINARY_DIR}/packaging/minping-common/changelog.gz
  DESTINATION ${MINPING_PKG_DOC}/minping-common COMPONENT common)
# The unit goes where Debian 12's systemd packages put theirs.
install(FILES ${CMAKE_SOURCE_DIR}/packaging/minping-kiosk.service
  DESTINATION lib/systemd/system COMPONENT kiosk)
# polkit: the minping user may mount, unmount and power off removable drives
# through udisks2 without a session (the staff export to a USB stick).
install(FILES ${CMAKE_SOURCE_DIR}/packaging/50-minping-kiosk-udisks.rules
  DESTINATION share/polkit-1/rules.d COMPONENT kiosk)
# Group video may switch the backlight off (the kiosk asleep).
install(FILES ${CMAKE_SOURCE_DIR}/packaging/60-minping-backlight.rules
  DESTINATION lib/udev/rules.d COMPONENT kiosk)
# The manual pages (packaging/man/), compressed with gzip -9n at build time
# as Debian policy asks, one per program and package.
set(MINPING_MANPAGES)
foreach(prog kiosk office survey)
  set(page ${CMAKE_SOURCE_DIR}/packaging/man/minping-${prog}.1)
  set(gz ${CMAKE_BINARY_DIR}/packaging/man/minping-${prog}.1.gz)
  add_custom_command(OUTPUT ${gz}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging/man
    COMMAND sh -c "gzip -9n < \"$1\" > \"$2\"" sh ${page} ${gz}
    DEPENDS ${page}
    VERBATIM)
  list(APPEND MINPING_MANPAGES ${gz})
  install(FILES ${gz} DESTINATION share/man/man1 COMPONENT ${prog})
endforeach()
add_custom_target(minping_manpages ALL DEPENDS ${MINPING_MANPAGES})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME minping)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Minping")
set(CPACK_PACKAGE_CONTACT "Minping maintainers <minping@example.org>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL kiosk office survey common)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.org/minping")
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

set(CPACK_DEBIAN_KIOSK_PACKAGE_NAME minping-kiosk)
set(CPACK_DEBIAN_OFFICE_PACKAGE_NAME minping-office)
set(CPACK_DEBIAN_SURVEY_PACKAGE_NAME minping-survey)
set(CPACK_DEBIAN_COMMON_PACKAGE_NAME minping-common)
set(CPACK_DEBIAN_COMMON_PACKAGE_ARCHITECTURE all)
set(CPACK_COMPONENT_KIOSK_DEPENDS common)
set(CPACK_COMPONENT_OFFICE_DEPENDS common)
set(CPACK_COMPONENT_SURVEY_DEPENDS common)
# adduser: postinst makes the minping user.  udisks2 (with polkitd, which
# reads the rule above) mounts and ejects the export stick with nobody logged
# in; without it the kiosk exports only to a stick some other program mounted.
set(CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_KIOSK_PACKAGE_RECOMMENDS "udisks2, polkitd")
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_EXTRA
  "${CMAKE_SOURCE_DIR}/packaging/postinst;${CMAKE_SOURCE_DIR}/packaging/postrm")
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_COMPONENT_KIOSK_DESCRIPTION "satisfaction-vote kiosk for public reading rooms
A full-screen touch application: a citizen picks the government unit they
dealt with, rates it (very satisfied to dissatisfied) and is thanked once
the vote is durably stored.  Staff export the signed votes to a USB stick.
Runs as a systemd service on the console (KMSDRM) or under a kiosk
compositor such as cage.")
set(CPACK_COMPONENT_OFFICE_DESCRIPTION "office tool for satisfaction votes and unit assessments
Provisions kiosks, imports and verifies their signed vote exports, and
reports each unit's satisfaction score and its year-end assessment
(CSV, HTML, xlsx).")
set(CPACK_COMPONENT_SURVEY_DESCRIPTION "online satisfaction survey server for the county portal
A small HTTP server (libmicrohttpd) behind the portal's reverse proxy: the
page a kiosk's QR code opens.  Votes are stored durably before the citizen
is thanked and leave as signed export files for the office.")
set(CPACK_COMPONENT_COMMON_DESCRIPTION "message catalogues of the Minping programs
The translations (Simplified Chinese) of the command-line messages of
minping-kiosk, minping-office and minping-survey.")
include(CPack)
