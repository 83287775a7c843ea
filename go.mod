module github.com/bigfunc/bigfunc

go 1.26
