package graph

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cargoman/cargoman/graph/model"
	"github.com/cargoman/cargoman/internal/auth"
)

// RequirementsOf reads the @hasRole of every root field op selects (through
// fragments too) from the schema, so a transport can refuse a caller before
// it reads a request body, by the same rule the directive enforces. op must
// be validated against schema. Fields without @hasRole need nothing.
func RequirementsOf(op *ast.OperationDefinition) ([]Requirement, error) {
	var reqs []Requirement
	var walk func(ast.SelectionSet) error
	walk = func(set ast.SelectionSet) error {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if s.Definition == nil {
					return fmt.Errorf("graph: field %s has no definition: validate the operation first", s.Name)
				}
				r, ok, err := requirementOf(s.Definition)
				if err != nil {
					return err
				}
				if ok {
					reqs = append(reqs, r)
				}
			case *ast.InlineFragment:
				if err := walk(s.SelectionSet); err != nil {
					return err
				}
			case *ast.FragmentSpread:
				if s.Definition == nil {
					return fmt.Errorf("graph: fragment %s has no definition: validate the operation first", s.Name)
				}
				if err := walk(s.Definition.SelectionSet); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(op.SelectionSet); err != nil {
		return nil, err
	}
	return reqs, nil
}

// UploadRequirements returns the requirements of the mutations that take a
// file (an Upload scalar anywhere in their arguments). A multipart request
// can only carry files for them, so a caller none of them admits is
// refused before its body is read.
func UploadRequirements(schema *ast.Schema) ([]Requirement, error) {
	if schema.Mutation == nil {
		return nil, nil
	}
	var reqs []Requirement
	for _, f := range schema.Mutation.Fields {
		takesFile := false
		for _, arg := range f.Arguments {
			takesFile = takesFile || carriesUpload(schema, arg.Type, map[string]bool{})
		}
		if !takesFile {
			continue
		}
		r, ok, err := requirementOf(f)
		if err != nil {
			return nil, err
		}
		if !ok {
			// A file field open to everyone: nothing to check up front.
			return nil, nil
		}
		reqs = append(reqs, r)
	}
	return reqs, nil
}

// AdmitAny admits p when one of reqs does; no requirements admit everyone.
// It reports the first refusal otherwise.
func AdmitAny(reqs []Requirement, p *auth.Caller) error {
	var first error
	for _, r := range reqs {
		err := r.Admit(p)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return first
}

// AdmitAll admits p when every one of reqs does (an operation runs all its
// root fields).
func AdmitAll(reqs []Requirement, p *auth.Caller) error {
	for _, r := range reqs {
		if err := r.Admit(p); err != nil {
			return err
		}
	}
	return nil
}

func carriesUpload(schema *ast.Schema, t *ast.Type, seen map[string]bool) bool {
	for t.Elem != nil {
		t = t.Elem
	}
	if t.NamedType == "Upload" {
		return true
	}
	if seen[t.NamedType] {
		return false
	}
	seen[t.NamedType] = true
	def := schema.Types[t.NamedType]
	if def == nil || def.Kind != ast.InputObject {
		return false
	}
	for _, f := range def.Fields {
		if carriesUpload(schema, f.Type, seen) {
			return true
		}
	}
	return false
}

// requirementOf reads a field definition's @hasRole.
func requirementOf(f *ast.FieldDefinition) (Requirement, bool, error) {
	d := f.Directives.ForName("hasRole")
	if d == nil {
		return Requirement{}, false, nil
	}
	r := Requirement{Field: f.Name}
	role := d.Arguments.ForName("role")
	if role == nil || role.Value == nil {
		return r, false, fmt.Errorf("graph: @hasRole of %s has no role", f.Name)
	}
	var ok bool
	if r.Role, ok = auth.ParseRole(role.Value.Raw); !ok {
		return r, false, fmt.Errorf("graph: @hasRole of %s: unknown role %q", f.Name, role.Value.Raw)
	}
	if c := d.Arguments.ForName("customer"); c != nil && c.Value != nil && c.Value.Kind == ast.EnumValue {
		perm := model.CustomerPermission(c.Value.Raw)
		if !perm.IsValid() {
			return r, false, fmt.Errorf("graph: @hasRole of %s: unknown customer permission %q", f.Name, c.Value.Raw)
		}
		r.Customer = &perm
	}
	return r, true, nil
}
