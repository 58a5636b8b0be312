# cmake -DOUT=file.csv -P make_table_csv.cmake: a small two-class table with a header for the
# train_csv example test. Rows from a fixed linear congruential generator, so the file is the
# same everywhere; label 1 when size + weight > 100 (learnable, not trivially constant).
set(text "size,weight,label\n")
set(state 12345)
foreach(i RANGE 1 240)
  math(EXPR state "(${state} * 1103515245 + 12345) % 2147483648")
  math(EXPR size "${state} % 100")
  math(EXPR state "(${state} * 1103515245 + 12345) % 2147483648")
  math(EXPR weight "${state} % 100")
  math(EXPR sum "${size} + ${weight}")
  if(sum GREATER 100)
    set(label 1)
  else()
    set(label 0)
  endif()
  string(APPEND text "${size}.5,${weight},${label}\n")
endforeach()
file(WRITE ${OUT} "${text}")
