package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/casing"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// classify turns an error returned by a resolver into an *apperr.Error.
// Errors it does not recognise become INTERNAL_ERROR, keeping the cause for
// the log only.
func classify(err error) *apperr.Error {
	if e, ok := apperr.As(err); ok {
		return e
	}
	var verr *ent.ValidationError
	var gqlErr *gqlerror.Error
	switch {
	case errors.As(err, &gqlErr) && gqlErr.Err == nil:
		// Raised by generated code about the request, e.g. first < 0.
		return apperr.New(apperr.Validation, "%s", gqlErr.Message)
	case errors.As(err, &verr):
		// The innermost error is the validator's own message.
		var inner error = verr
		for next := errors.Unwrap(inner); next != nil; next = errors.Unwrap(next) {
			inner = next
		}
		msg := inner.Error()
		field := casing.Camel(verr.Name)
		return apperr.Invalid(field, "%s %s", field, msg)
	case ent.IsNotFound(err):
		return apperr.NotFoundf("%s", strings.TrimPrefix(err.Error(), "ent: ")).WithCause(err)
	case ent.IsConstraintError(err):
		return apperr.New(apperr.Conflict, "the change conflicts with existing data").WithCause(err)
	case errors.Is(err, tenancy.ErrNoTenant):
		return apperr.New(apperr.Unauthorized, "authentication required").WithCause(err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return apperr.New(apperr.Internal, "the request was cancelled").WithCause(err)
	}
	return apperr.New(apperr.Internal, "internal error").WithCause(err)
}

// classifyResolverErrors is a field middleware: every error a resolver
// returns leaves it classified. Errors that never pass through here come
// from gqlgen itself (parsing, validation, argument coercion) and are the
// caller's fault.
func classifyResolverErrors(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err != nil {
		return res, classify(err)
	}
	return res, nil
}

// inputField names the input field a coercion error is about: gqlgen
// reports variable.input.email for a bad $input.email, and
// createCustomer.input.name for a bad argument field.
func inputField(e *gqlerror.Error) string {
	if len(e.Path) < 2 {
		return ""
	}
	for i := len(e.Path) - 1; i > 0; i-- {
		if name, ok := e.Path[i].(ast.PathName); ok && (i > 1 || len(e.Path) == 2) {
			return string(name)
		}
	}
	return ""
}

// presentError renders every GraphQL error with a code from the spec's
// table in extensions.code, plus extensions.field where known.
func presentError(log *slog.Logger, schema *ast.Schema) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		ae, ok := apperr.As(err)
		if !ok {
			// Not from a resolver: gqlgen rejected the request itself
			// (syntax, validation, variable or argument coercion, limits).
			field := inputField(gqlErr)
			msg, reworded := coercionMessage(schema, field, gqlErr.Message)
			if !reworded && field != "" && !strings.Contains(msg, field) {
				// "name must be a string, not a number", as
				// coercionMessage words it; other messages after a colon.
				sep := ": "
				if strings.HasPrefix(msg, "must ") {
					sep = " "
				}
				msg = field + sep + msg
			}
			ae = apperr.Invalid(field, "%s", msg)
		}
		if ae.Code == apperr.Internal {
			log.ErrorContext(ctx, "graphql internal error", "err", fmt.Sprintf("%+v", ae.Unwrap()), "path", gqlErr.Path.String())
		}
		out := &gqlerror.Error{
			Message:   ae.Message,
			Path:      gqlErr.Path,
			Locations: gqlErr.Locations,
			Rule:      gqlErr.Rule,
			Err:       err,
			Extensions: map[string]any{
				"code": string(ae.Code),
			},
		}
		if ae.Field != "" {
			out.Extensions["field"] = ae.Field
		}
		// Details a refusal carries, e.g. the cost and maxCost of an
		// operation over the complexity limit; gqlgen's own code is
		// replaced by ours.
		for k, v := range gqlErr.Extensions {
			if _, set := out.Extensions[k]; !set && k != "code" {
				out.Extensions[k] = v
			}
		}
		return out
	}
}

// recoverPanic turns a panic into INTERNAL_ERROR, logging the value.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.ErrorContext(ctx, "graphql panic", "panic", fmt.Sprint(v))
		return apperr.New(apperr.Internal, "internal error")
	}
}
