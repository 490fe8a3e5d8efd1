package graph_test

import (
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/graph"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
)

// The requirements read from the schema before a body is read are those
// @hasRole enforces: who may upload, and what an operation's root fields
// (through fragments) ask.
func TestRequirementsFromSchema(t *testing.T) {
	schema := graph.NewSchema(graph.Deps{}).Schema()
	uploaders, err := graph.UploadRequirements(schema)
	if err != nil {
		t.Fatal(err)
	}
	if len(uploaders) != 1 || uploaders[0].Field != "uploadVersion" || uploaders[0].Role != auth.RoleAdmin || uploaders[0].Customer == nil || *uploaders[0].Customer != "UPLOAD" {
		t.Fatalf("upload requirements %+v", uploaders)
	}
	doc, errs := gqlparser.LoadQuery(schema, `query { viewer { kind } ...F } fragment F on Query { adminTokens { totalCount } }`)
	if errs != nil {
		t.Fatal(errs)
	}
	reqs, err := graph.RequirementsOf(doc.Operations[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 2 || reqs[0].Role != auth.RoleViewer || reqs[1].Field != "adminTokens" || reqs[1].Role != auth.RoleOwner {
		t.Fatalf("requirements %+v", reqs)
	}

	customer := func(scope string) *auth.Caller {
		return &auth.Caller{Kind: auth.KindCustomer, Customer: &ent.Customer{ID: "c"}, Scope: customertoken.Scope(scope)}
	}
	for _, tc := range []struct {
		name string
		p    *auth.Caller
		want apperr.Code
	}{
		{"anonymous", nil, apperr.Unauthorized},
		{"viewer", &auth.Caller{Kind: auth.KindAdminToken, Role: auth.RoleViewer}, apperr.Forbidden},
		{"admin", &auth.Caller{Kind: auth.KindAdminToken, Role: auth.RoleAdmin}, ""},
		{"root", &auth.Caller{Kind: auth.KindRoot, Role: auth.RoleOwner}, ""},
		{"download customer", customer("download"), apperr.Forbidden},
		{"webhook customer", customer("webhook"), apperr.Forbidden},
		{"developer customer", customer("developer"), ""},
		{"admin customer", customer("admin"), ""},
	} {
		err := graph.AdmitAny(uploaders, tc.p)
		e, _ := apperr.As(err)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.name, err)
		case tc.want != "" && (e == nil || e.Code != tc.want):
			t.Errorf("%s: %v, want %s", tc.name, err, tc.want)
		}
	}
}
