# voice.cmake - the kiosk's spoken prompts (app/kiosk/voice.h), made at build
# time: espeak-ng (Debian package espeak-ng, its Mandarin voice cmn) speaks
# each text into a WAV file (22050 Hz, 16-bit, mono) under <build>/voice,
# installed with the kiosk under share/minping/voice.  Which prompt is said
# when: app/kiosk/cue.c.
find_program(MINPING_ESPEAK_NG espeak-ng)
if(NOT MINPING_ESPEAK_NG)
  message(FATAL_ERROR "espeak-ng was not found: the kiosk's spoken prompts (请选择单位, "
    "请您评价, ...) are made with it at build time.  Install it with "
    "`sudo apt-get install espeak-ng` (or `bash tests/deps.sh`), then configure again.")
endif()

set(MINPING_VOICE_BUILD "${CMAKE_BINARY_DIR}/voice")
set(MINPING_VOICE_INSTALL "${CMAKE_INSTALL_PREFIX}/share/minping/voice")
# espeak-ng's own speed (175 "words" a minute): its Mandarin voice says
# about 3 syllables a second at it, already slower than everyday speech,
# which suits elderly listeners; 请选择单位 lasts about 2 s.
set(MINPING_VOICE_SPEED 175)
# file name (as app/kiosk/voice.c names it) | the words
set(MINPING_VOICE_PROMPTS
  "units|请选择单位"
  "rating|请您评价"
  "thanks|谢谢您的评价"
  "rate_10|非常满意"
  "rate_8|基本满意"
  "rate_6|一般"
  "rate_0|不满意")

set(MINPING_VOICE_FILES)
foreach(prompt ${MINPING_VOICE_PROMPTS})
  string(REPLACE "|" ";" parts "${prompt}")
  list(GET parts 0 name)
  list(GET parts 1 words)
  set(wav "${MINPING_VOICE_BUILD}/${name}.wav")
  add_custom_command(
    OUTPUT "${wav}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${MINPING_VOICE_BUILD}"
    COMMAND ${MINPING_ESPEAK_NG} -v cmn -s ${MINPING_VOICE_SPEED} -w "${wav}" "${words}"
    DEPENDS "${CMAKE_CURRENT_LIST_FILE}"
    COMMENT "Speaking ${name}.wav (${words}) with espeak-ng"
    VERBATIM)
  list(APPEND MINPING_VOICE_FILES "${wav}")
endforeach()
add_custom_target(minping_voice ALL DEPENDS ${MINPING_VOICE_FILES})
install(FILES ${MINPING_VOICE_FILES} DESTINATION share/minping/voice COMPONENT kiosk)
