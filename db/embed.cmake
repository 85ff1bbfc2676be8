# Turns text files into a C source defining
#   const struct embed_file SYMBOL[] = {{"name", "text"}, ..., {0, 0}};
# Run as: cmake -DSYMBOL=name -DOUT=file.c -DINPUTS="a|b" -P embed.cmake
string(REPLACE "|" ";" INPUTS "${INPUTS}")
set(body "#include \"embed.h\"\nconst struct embed_file ${SYMBOL}[] = {\n")
foreach(path IN LISTS INPUTS)
  get_filename_component(name "${path}" NAME)
  file(READ "${path}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${hex}")
  # Split into chunks so no line is absurdly long.
  string(REGEX REPLACE "((\\\\x[0-9a-f][0-9a-f]){32})" "\\1\"\n  \"" escaped "${escaped}")
  string(APPEND body "  {\"${name}\",\n  \"${escaped}\"},\n")
endforeach()
string(APPEND body "  {0, 0}\n};\n")
file(WRITE "${OUT}.tmp" "${body}")
file(RENAME "${OUT}.tmp" "${OUT}")
