module godiag/testprogs

go 1.19
