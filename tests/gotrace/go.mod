module godiag/tests/gotrace

go 1.22
