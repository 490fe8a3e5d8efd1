package graph

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cargoman/cargoman/graph/generated"
	"github.com/cargoman/cargoman/internal/bodylimit"
)

// NewSchema returns the executable schema over the services in d.
func NewSchema(d Deps) graphql.ExecutableSchema {
	return generated.NewExecutableSchema(generated.Config{
		Resolvers:  newResolver(d),
		Directives: generated.DirectiveRoot{HasRole: hasRole},
	})
}

// Settings are the configurable parts of the GraphQL endpoint.
type Settings struct {
	Limits        Limits
	Introspection IntrospectionMode
}

// withDefaults fills the settings left zero with their defaults.
func (s Settings) withDefaults() Settings {
	d := DefaultLimits()
	for _, f := range []struct {
		v   *int
		def int
	}{
		{&s.Limits.MaxDepth, d.MaxDepth},
		{&s.Limits.MaxComplexity, d.MaxComplexity},
		{&s.Limits.MaxPageSize, d.MaxPageSize},
		{&s.Limits.MaxNodeIDs, d.MaxNodeIDs},
	} {
		if *f.v <= 0 {
			*f.v = f.def
		}
	}
	if s.Introspection == "" {
		s.Introspection = IntrospectionAuthenticated
	}
	return s
}

// configurable is what both gqlgen's HTTP server and its bare executor
// offer, so the GraphQL endpoint and the REST layer run with identical
// extensions, limits and error handling.
type configurable interface {
	Use(graphql.HandlerExtension)
	AroundFields(graphql.FieldMiddleware)
	SetErrorPresenter(graphql.ErrorPresenterFunc)
	SetRecoverFunc(graphql.RecoverFunc)
	SetQueryCache(graphql.Cache[*ast.QueryDocument])
}

func configure(c configurable, schema *ast.Schema, log *slog.Logger, s Settings, extra []graphql.HandlerExtension) {
	s = s.withDefaults()
	c.Use(introspectionPolicy{mode: s.Introspection})
	for _, x := range extra {
		c.Use(x)
	}
	c.Use(operationLimits{l: s.Limits})
	c.AroundFields(classifyResolverErrors)
	c.AroundFields(pageLimit)
	c.AroundFields(newCustomerView().guard)
	c.SetErrorPresenter(presentError(log, schema))
	c.SetRecoverFunc(recoverPanic(log))
	c.SetQueryCache(lru.New[*ast.QueryDocument](1000))
}

// NewExecutor returns an executor for in-process operations (the REST
// layer), configured like the HTTP endpoint.
func NewExecutor(es graphql.ExecutableSchema, log *slog.Logger, s Settings, extra ...graphql.HandlerExtension) *executor.Executor {
	e := executor.New(es)
	configure(e, es.Schema(), log, s, extra)
	return e
}

// NewHandler returns the HTTP handler of POST and GET /graphql; up says
// where multipart uploads go.
func NewHandler(es graphql.ExecutableSchema, log *slog.Logger, s Settings, up Uploads, extra ...graphql.HandlerExtension) http.Handler {
	srv := handler.New(es)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(httpTransport{})
	if up.MaxFields <= 0 {
		up.MaxFields = bodylimit.DefaultJSON
	}
	srv.AddTransport(multipartForm{up: up})
	configure(srv, es.Schema(), log, s, extra)
	return srv
}

// AfterMutation returns an extension that calls fn once a mutation
// operation has run, when the transactions of its fields have committed:
// the place to make this instance notice its own changes at once.
func AfterMutation(fn func(context.Context)) graphql.HandlerExtension {
	return afterMutation(fn)
}

type afterMutation func(context.Context)

func (afterMutation) ExtensionName() string                   { return "AfterMutation" }
func (afterMutation) Validate(graphql.ExecutableSchema) error { return nil }
func (a afterMutation) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if !graphql.HasOperationContext(ctx) {
		// A request refused before it became an operation.
		return resp
	}
	if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
		a(ctx)
	}
	return resp
}
