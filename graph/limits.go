package graph

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cargoman/cargoman/internal/apperr"
)

// Limits bound what one GraphQL operation may ask for, so that a single
// request cannot make the server walk unbounded graphs. They are checked
// before any resolver runs.
type Limits struct {
	// MaxDepth bounds how deeply selections nest.
	MaxDepth int
	// MaxComplexity bounds the cost of an operation (see Cost).
	MaxComplexity int
	// MaxPageSize bounds first and last of every connection; a connection
	// asked without either returns this many items.
	MaxPageSize int
	// MaxNodeIDs bounds the ids of one nodes(ids:) call.
	MaxNodeIDs int
}

// Defaults of Limits for the GraphQL endpoint. DefaultMaxComplexity is ten
// times the cost of the heaviest document the product itself sends (the
// REST routes' documents, TestComplexityBudget).
const (
	DefaultMaxDepth      = 12
	DefaultMaxComplexity = 525000
	DefaultPageSize      = 100
	DefaultMaxNodeIDs    = 100
)

// DefaultLimits are the limits of the GraphQL endpoint unless configured.
func DefaultLimits() Limits {
	return Limits{
		MaxDepth:      DefaultMaxDepth,
		MaxComplexity: DefaultMaxComplexity,
		MaxPageSize:   DefaultPageSize,
		MaxNodeIDs:    DefaultMaxNodeIDs,
	}
}

// WithPageSize returns l for a client paging up to size items (the REST
// layer's per_page goes to 500): the complexity budget grows by the same
// factor, so the same documents stay within it.
// Limits left zero take their defaults first.
func (l Limits) WithPageSize(size int) Limits {
	l = Settings{Limits: l}.withDefaults().Limits
	if size > l.MaxPageSize {
		l.MaxComplexity = satMul(l.MaxComplexity, (size+l.MaxPageSize-1)/l.MaxPageSize)
	}
	l.MaxPageSize = size
	return l
}

// costCap keeps cost arithmetic far from overflow; any cost this high is
// over every limit anyway.
const costCap = math.MaxInt32

func satAdd(a, b int) int { return min(a+b, costCap) }

func satMul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > costCap/b {
		return costCap
	}
	return min(a*b, costCap)
}

// measure is what the walk finds about a selection set.
type measure struct{ cost, depth int }

// coster computes the cost and depth of one operation. The cost model is
// GitHub's: every field costs 1; a connection field (one taking first or
// last) multiplies the cost of its selection by the page it asks for, the
// page size when it asks none; a plain list of objects multiplies by the
// page size too, since it is assumed to hold up to a page; nodes(ids:)
// multiplies by the number of ids. Introspection fields cost 1 each and
// add no depth: their shape is fixed by the schema, not by data.
type coster struct {
	limits Limits
	vars   map[string]any
	// frags memoizes fragment spreads, so a document reusing fragments
	// costs time linear in its size to measure.
	frags map[string]measure
	// err is the first argument error found (too many ids).
	err *gqlerror.Error
	// introspecting is set below __schema and __type, whose lists are
	// bounded by the schema: there fields cost 1 without multipliers.
	introspecting bool
}

// Cost measures op within limits l, with the operation's variables.
func Cost(op *ast.OperationDefinition, vars map[string]any, l Limits) (cost, depth int, err *gqlerror.Error) {
	c := &coster{limits: l, vars: vars, frags: map[string]measure{}}
	m := c.set(op.SelectionSet)
	return m.cost, m.depth, c.err
}

func (c *coster) set(set ast.SelectionSet) measure {
	var total measure
	for _, sel := range set {
		var m measure
		switch s := sel.(type) {
		case *ast.Field:
			m = c.field(s)
		case *ast.InlineFragment:
			m = c.set(s.SelectionSet)
		case *ast.FragmentSpread:
			if s.Definition == nil {
				continue
			}
			memo, ok := c.frags[s.Name]
			if !ok {
				// Seeded before the walk: validation refuses cycles, but
				// a seed keeps an unvalidated document from looping.
				c.frags[s.Name] = measure{}
				memo = c.set(s.Definition.SelectionSet)
				c.frags[s.Name] = memo
			}
			m = memo
		}
		total.cost = satAdd(total.cost, m.cost)
		total.depth = max(total.depth, m.depth)
	}
	return total
}

func (c *coster) field(f *ast.Field) measure {
	if strings.HasPrefix(f.Name, "__") && !c.introspecting {
		c.introspecting = true
		child := c.set(f.SelectionSet)
		c.introspecting = false
		return measure{cost: satAdd(1, child.cost)}
	}
	child := c.set(f.SelectionSet)
	if c.introspecting {
		return measure{cost: satAdd(1, child.cost)}
	}
	return measure{
		cost:  satAdd(1, satMul(c.multiplier(f), child.cost)),
		depth: child.depth + 1,
	}
}

// multiplier is how many times the selection of f may be resolved.
func (c *coster) multiplier(f *ast.Field) int {
	def := f.Definition
	if def == nil || len(f.SelectionSet) == 0 {
		return 1
	}
	if f.Name == "nodes" && def.Arguments.ForName("ids") != nil {
		ids, _ := f.ArgumentMap(c.vars)["ids"].([]any)
		if len(ids) > c.limits.MaxNodeIDs && c.err == nil {
			c.err = limitError(fmt.Sprintf("nodes takes at most %d ids, got %d", c.limits.MaxNodeIDs, len(ids)), nil)
		}
		return max(len(ids), 1)
	}
	if def.Arguments.ForName("first") != nil || def.Arguments.ForName("last") != nil {
		args := f.ArgumentMap(c.vars)
		page := -1
		for _, name := range []string{"last", "first"} {
			n, ok := pageArg(args[name])
			if !ok {
				continue
			}
			if (n < 0 || n > c.limits.MaxPageSize) && c.err == nil {
				c.err = limitError(fmt.Sprintf("%s must be between 0 and %d, got %d", name, c.limits.MaxPageSize, n), map[string]any{"field": name})
			}
			page = max(n, 0)
		}
		if page < 0 {
			return c.limits.MaxPageSize
		}
		return page
	}
	if def.Type.Elem != nil && (f.ObjectDefinition == nil || !strings.HasSuffix(f.ObjectDefinition.Name, "Connection")) {
		// A plain list of objects; the edges of a connection are its page.
		return c.limits.MaxPageSize
	}
	return 1
}

// pageArg reads a first or last argument as the page it asks for.
func pageArg(v any) (int, bool) {
	var n int64
	switch t := v.(type) {
	case int:
		n = int64(t)
	case int64:
		n = t
	case float64:
		n = int64(t)
	case interface{ Int64() (int64, error) }: // json.Number
		var err error
		if n, err = t.Int64(); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	return int(min(max(n, -1), costCap)), true
}

// limitError is a refusal of the operation as a whole: a validation
// failure (HTTP 422, code VALIDATION_ERROR once presented) with extra
// extensions such as the computed cost.
func limitError(msg string, ext map[string]any) *gqlerror.Error {
	err := &gqlerror.Error{Message: msg, Extensions: ext}
	errcode.Set(err, errcode.ValidationFailed)
	return err
}

// operationLimits refuses operations over Limits before they run, and puts
// the limits into the context of the operation for pageLimit.
type operationLimits struct{ l Limits }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
	graphql.OperationInterceptor
} = operationLimits{}

func (operationLimits) ExtensionName() string                          { return "OperationLimits" }
func (operationLimits) Validate(schema graphql.ExecutableSchema) error { return nil }

func (o operationLimits) MutateOperationContext(_ context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if op.Operation == nil {
		return nil
	}
	cost, depth, err := Cost(op.Operation, op.Variables, o.l)
	switch {
	case err != nil:
		return err
	case cost > o.l.MaxComplexity:
		is := fmt.Sprint("is ", cost)
		if cost == costCap {
			is = fmt.Sprint("is at least ", cost)
		}
		return limitError(
			fmt.Sprintf("the operation's complexity (cost) %s, over the limit of %d: ask for smaller pages (first, last) or fewer nested lists", is, o.l.MaxComplexity),
			map[string]any{"cost": cost, "maxCost": o.l.MaxComplexity},
		)
	case depth > o.l.MaxDepth:
		return limitError(fmt.Sprintf("the operation is nested deeper than the limit of %d", o.l.MaxDepth), nil)
	}
	return nil
}

func (o operationLimits) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, limitsKey{}, o.l))
}

type limitsKey struct{}

// limitsFrom returns the limits the operation in ctx runs under.
func limitsFrom(ctx context.Context) Limits {
	if l, ok := ctx.Value(limitsKey{}).(Limits); ok {
		return l
	}
	return DefaultLimits()
}

// pageLimit is a field middleware holding every connection to its page
// size: first or last above it is refused, and a connection asked without
// either returns one full page, as the cost was computed.
func pageLimit(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Args == nil {
		return next(ctx)
	}
	first, hasFirst := fc.Args["first"].(*int)
	last, hasLast := fc.Args["last"].(*int)
	if !hasFirst && !hasLast {
		return next(ctx)
	}
	size := limitsFrom(ctx).MaxPageSize
	for name, n := range map[string]*int{"first": first, "last": last} {
		if n != nil && (*n < 0 || *n > size) {
			return nil, apperr.Invalid(name, "%s must be between 0 and %d", name, size)
		}
	}
	if first == nil && last == nil && hasFirst {
		fc.Args["first"] = &size
	}
	return next(ctx)
}
