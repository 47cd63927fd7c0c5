module evident.dev/evident

go 1.24
