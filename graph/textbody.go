package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/validate"
)

// textPOST is gqlgen's JSON POST transport that first refuses a body whose
// strings are not text (validate.JSONText): encoding/json would turn
// invalid UTF-8 and lone surrogates into U+FFFD, so the String scalar would
// never see them and a changed value would be stored. The body is already
// size-limited by the server when it gets here.
type textPOST struct{ transport.POST }

func (t textPOST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	body, err := io.ReadAll(r.Body)
	if err == nil {
		if textErr := validate.JSONText(body); textErr != nil {
			writeTextError(w, "the request body", textErr)
			return
		}
	}
	// A read error is left to the transport, which reports it as it does
	// any other unreadable body.
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
	t.POST.Do(w, r, exec)
}

// textGET is gqlgen's GET transport with textPOST's check on the query
// parameters.
type textGET struct{ transport.GET }

func (t textGET) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	q := r.URL.Query()
	for _, name := range []string{"variables", "extensions"} {
		if err := validate.JSONText([]byte(q.Get(name))); err != nil {
			writeTextError(w, "the "+name+" parameter", err)
			return
		}
	}
	for _, name := range []string{"query", "operationName"} {
		if !utf8.ValidString(q.Get(name)) {
			writeTextError(w, "the "+name+" parameter", fmt.Errorf("is not valid UTF-8"))
			return
		}
	}
	t.GET.Do(w, r, exec)
}

// writeTextError answers 400 VALIDATION_ERROR in the GraphQL error shape.
// It is written here rather than through exec.DispatchError: there is no
// operation yet for the response extensions to read.
func writeTextError(w http.ResponseWriter, what string, err error) {
	resp := graphql.Response{Errors: gqlerror.List{{
		Message:    fmt.Sprintf("%s %s; send UTF-8 text", what, err),
		Extensions: map[string]any{"code": string(apperr.Validation)},
	}}}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(resp)
}

// errReader returns err (or io.EOF when nil) once the body's bytes are read.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}
