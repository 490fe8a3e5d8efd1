package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/httperr"
	"github.com/cargoman/cargoman/internal/validate"
)

// httpTransport serves GraphQL over GET and over POST with a JSON body. It
// replaces gqlgen's transports to give every failure a status and a code:
// a body that is not a GraphQL request answers 400 VALIDATION_ERROR without
// echoing the body; an operation refused before it runs (syntax,
// validation, variables, depth, cost) answers 422, or the status of its
// code when that is not VALIDATION_ERROR (401 for anonymous
// introspection); an operation that ran answers 200.
type httpTransport struct{}

var _ graphql.Transport = httpTransport{}

func (httpTransport) Supports(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" {
		return false
	}
	switch r.Method {
	case http.MethodGet:
		return true
	case http.MethodPost:
		mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		return err == nil && mediaType == "application/json"
	}
	return false
}

// requestBody is a GraphQL request as JSON; decoding into typed fields
// refuses a query that is not a string or variables that are not an object.
type requestBody struct {
	Query         *string        `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
}

func (httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	w.Header().Set("Content-Type", "application/json")
	start := graphql.Now()
	params, err := readParams(r)
	if err != nil {
		httperr.GraphQL(w, err)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	ctx := r.Context()
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		w.WriteHeader(refusalStatus(resp.Errors))
		writeJSON(w, resp)
		return
	}
	if r.Method == http.MethodGet && opCtx.Operation.Operation != ast.Query {
		w.Header().Set("Allow", http.MethodPost)
		httperr.GraphQL(w, apperr.New(apperr.MethodNotAllowed, "only queries may be sent with GET; send %s with POST", opCtx.Operation.Operation))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	writeJSON(w, responses(ctx))
}

// readParams reads the GraphQL request of a GET query string or a POST
// JSON body.
func readParams(r *http.Request) (*graphql.RawParams, error) {
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		p := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
		if p.Query == "" {
			return nil, apperr.New(apperr.Validation, "the request has no query parameter")
		}
		for _, name := range []string{"query", "operationName"} {
			if !utf8.ValidString(q.Get(name)) {
				return nil, apperr.New(apperr.Validation, "the %s parameter is not valid UTF-8; send UTF-8 text", name)
			}
		}
		for name, dst := range map[string]*map[string]any{"variables": &p.Variables, "extensions": &p.Extensions} {
			if raw := q.Get(name); raw != "" {
				// encoding/json would turn invalid UTF-8 and lone
				// surrogates into U+FFFD, so the String scalar would never
				// see them: refuse them here (validate.JSONText).
				if err := validate.JSONText([]byte(raw)); err != nil {
					return nil, apperr.New(apperr.Validation, "the %s parameter %s; send UTF-8 text", name, err)
				}
				if err := decodeJSON(bytes.NewReader([]byte(raw)), dst); err != nil {
					return nil, apperr.New(apperr.Validation, "the %s parameter must be a JSON object", name)
				}
			}
		}
		return p, nil
	}
	// The body is size-limited by the server (bodylimit) when it gets here.
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, bodylimit.Check(err, "the request body could not be read")
	}
	if err := validate.JSONText(data); err != nil {
		return nil, apperr.New(apperr.Validation, "the request body %s; send UTF-8 text", err)
	}
	var body requestBody
	if err := decodeJSON(bytes.NewReader(data), &body); err != nil {
		return nil, apperr.New(apperr.Validation,
			`the request body is not a GraphQL request: want a JSON object {"query": string, "operationName": string, "variables": object}`)
	}
	if body.Query == nil || *body.Query == "" {
		return nil, apperr.New(apperr.Validation, "the request has no query")
	}
	return &graphql.RawParams{
		Query:         *body.Query,
		OperationName: body.OperationName,
		Variables:     body.Variables,
		Extensions:    body.Extensions,
	}, nil
}

// decodeJSON decodes exactly one JSON value, keeping numbers exact as
// gqlgen's own transports do.
func decodeJSON(r io.Reader, dst any) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

// refusalStatus is the status of an operation refused before it ran.
func refusalStatus(errs gqlerror.List) int {
	if len(errs) == 0 {
		return http.StatusUnprocessableEntity
	}
	code, _ := errs[0].Extensions["code"].(string)
	switch apperr.Code(code) {
	case apperr.Validation, "":
		return http.StatusUnprocessableEntity
	}
	return apperr.Code(code).HTTPStatus()
}

func writeJSON(w io.Writer, resp *graphql.Response) {
	b, err := json.Marshal(resp)
	if err != nil {
		// A response of ours always marshals; a resolver's value that
		// does not would have failed while the response was built.
		b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL_ERROR"}}]}`)
	}
	_, _ = w.Write(b)
}
