// Package rest keeps every documented REST route working by mapping it onto
// the GraphQL API: a route is one table entry plus one GraphQL document,
// executed in-process through the same executable schema, so REST and
// GraphQL share authorization, validation and errors. The JSON body is the
// GraphQL result with snake_case keys, unwrapped from the root field.
package rest

import (
	"encoding/json"
	"net/http"
)

// Route maps one REST route onto one GraphQL operation.
//
// Variables are filled by name: a variable named like a path parameter (in
// camelCase) takes its value; $input takes the JSON request body with keys
// in camelCase plus the path parameters; $first and $offset take the page
// of a List route; any other variable comes from the query parameter of its
// snake_case name.
type Route struct {
	Method string
	// Path is a gorilla/mux pattern such as /api/v1/customers/{id}.
	Path string
	// Query is the GraphQL document.
	Query string
	// Result is the path of field names, from the root, to the value that
	// becomes the response body.
	Result []string
	// Status is the success status; 0 means 200. 204 sends no body.
	Status int
	// List marks a list result: the body is a JSON array with page-based
	// pagination and X-Pagination-* and Link headers. The result is either
	// a connection (the array of its nodes; the query takes $first and
	// $offset) or a plain GraphQL list, which is paged here.
	List bool
	// Vars, when set, replaces the default mapping of path parameters: each
	// variable (or $input field) takes a template of path parameters, e.g.
	// {"name": "{vendor}/{name}"}.
	Vars map[string]string
	// Fixed variables the route always sets (e.g. a status filter).
	Fixed map[string]any
	// Upload names the $input field that receives an uploaded file: the
	// "file" part of a multipart body, or a raw application/zip body.
	Upload string
	// Respond, when set, writes the response itself from the unwrapped
	// result (e.g. streaming a file) instead of sending JSON.
	Respond Responder
}

// Responder writes a non-JSON response for a route's GraphQL result.
type Responder func(h *Handler, w http.ResponseWriter, r *http.Request, result json.RawMessage)

func (r Route) status() int {
	if r.Status == 0 {
		return http.StatusOK
	}
	return r.Status
}
