// Package composerjson reads and checks composer.json documents for the registry.
//
// Input comes from customer git tags and uploaded archives, so Parse is defensive:
// it bounds size and nesting, reports JSON errors with a line and column, and
// rejects known fields of the wrong JSON type, so that everything the registry
// re-publishes in Composer metadata has the shape Composer clients expect.
//
// Validate then reports what `composer validate` would: errors for things
// Composer refuses, warnings for things it merely advises against. The facts
// (name pattern, link rules, SPDX expression grammar, e-mail and URL rules)
// follow composer/composer's ValidatingArrayLoader and ConfigValidator and
// composer/spdx-licenses.
package composerjson
