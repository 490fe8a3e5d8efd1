// Package ent holds the generated data model; ent/schema is its source.
package ent

//go:generate sh -c "cd .. && go run ./ent/entc.go"
