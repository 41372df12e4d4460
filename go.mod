module github.com/umcgcheck/umcgcheck

go 1.26.8

require (
	golang.org/x/sys v0.50.0
	pgregory.net/rapid v1.3.0
)

require github.com/anishathalye/porcupine v1.3.1

require (
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.2
	golang.org/x/term v0.48.0
)

require golang.org/x/text v0.14.0 // indirect

require (
	github.com/rogpeppe/go-internal v1.16.0
	golang.org/x/tools v0.26.0 // indirect
)
