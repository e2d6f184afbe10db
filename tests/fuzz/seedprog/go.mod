module fuzzseed

go 1.19
