module github.com/umcgcheck/umcgcheck

go 1.26.8
