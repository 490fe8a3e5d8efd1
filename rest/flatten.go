package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// embedsConnections tells whether a route's document selects a connection
// inside its result (e.g. a customer's freezes), which the REST body shows
// as a plain array; a List route's own connection does not count, listNodes
// handles it.
func embedsConnections(op *ast.OperationDefinition, list bool) bool {
	n := countConnections(op.SelectionSet, map[string]bool{})
	if list {
		n--
	}
	return n > 0
}

func countConnections(set ast.SelectionSet, seen map[string]bool) int {
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if def := s.Definition; def != nil && def.Type.Elem == nil && def.Type.NamedType != "Connection" && strings.HasSuffix(def.Type.NamedType, "Connection") {
				n++
			}
			n += countConnections(s.SelectionSet, seen)
		case *ast.InlineFragment:
			n += countConnections(s.SelectionSet, seen)
		case *ast.FragmentSpread:
			if s.Definition != nil && !seen[s.Name] {
				seen[s.Name] = true
				n += countConnections(s.Definition.SelectionSet, seen)
			}
		}
	}
	return n
}

// flattenConnections rewrites every object of a GraphQL result that holds
// only "edges" (a connection asked for its nodes and nothing else) into
// the array of its nodes, keeping the order of keys and values otherwise.
func flattenConnections(in json.RawMessage) (json.RawMessage, error) {
	in = bytes.TrimSpace(in)
	if len(in) == 0 {
		return in, nil
	}
	switch in[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(in, &items); err != nil {
			return nil, fmt.Errorf("rest: flatten list: %w", err)
		}
		out := []byte{'['}
		for i, it := range items {
			f, err := flattenConnections(it)
			if err != nil {
				return nil, err
			}
			if i > 0 {
				out = append(out, ',')
			}
			out = append(out, f...)
		}
		return append(out, ']'), nil
	case '{':
		dec := json.NewDecoder(bytes.NewReader(in))
		if _, err := dec.Token(); err != nil {
			return nil, fmt.Errorf("rest: flatten object: %w", err)
		}
		var keys []string
		var vals []json.RawMessage
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return nil, fmt.Errorf("rest: flatten object: %w", err)
			}
			key, _ := t.(string)
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, fmt.Errorf("rest: flatten %q: %w", key, err)
			}
			f, err := flattenConnections(raw)
			if err != nil {
				return nil, err
			}
			keys, vals = append(keys, key), append(vals, f)
		}
		if len(keys) == 1 && keys[0] == "edges" {
			return edgeNodes(vals[0])
		}
		out := []byte{'{'}
		for i, k := range keys {
			if i > 0 {
				out = append(out, ',')
			}
			kb, _ := json.Marshal(k)
			out = append(append(append(out, kb...), ':'), vals[i]...)
		}
		return append(out, '}'), nil
	}
	return in, nil
}

// edgeNodes turns [{"node": X}, …] into [X, …].
func edgeNodes(edges json.RawMessage) (json.RawMessage, error) {
	var list []struct {
		Node json.RawMessage `json:"node"`
	}
	if err := json.Unmarshal(edges, &list); err != nil {
		return nil, fmt.Errorf("rest: flatten edges: %w", err)
	}
	out := []byte{'['}
	for i, e := range list {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, e.Node...)
	}
	return append(out, ']'), nil
}
