module godiag/benchprogs

go 1.19
