package composerjson

// field is a top-level composer.json key the registry knows about.
type field struct {
	key string
	// kinds are the JSON types composer-schema.json allows; Parse rejects others
	// so republished metadata never crashes a Composer client's ArrayLoader.
	kinds kind
	// want completes the sentence "\"key\" must be ..." in type errors.
	want string
}

// metadataFields are the keys copied from composer.json into Composer package
// metadata, in the order they are published. source and dist are deliberately
// absent: the registry sets them itself. php-ext is read by Composer's
// ArrayLoader (used by PIE) so it is carried too.
var metadataFields = []field{
	{"name", kindString, "a string"},
	{"description", kindString, "a string"},
	{"version", kindString, "a string"},
	{"type", kindString, "a string"},
	{"keywords", kindArray, "an array of strings"},
	{"homepage", kindString, "a string"},
	{"readme", kindString, "a string"},
	{"time", kindString, "a string"},
	{"license", kindString | kindArray, "a string or an array of strings"},
	{"authors", kindArray, "an array of author objects"},
	{"support", kindObject, "an object"},
	{"funding", kindArray, "an array of funding objects"},
	{"require", kindObject, "an object of package: constraint"},
	{"require-dev", kindObject, "an object of package: constraint"},
	{"conflict", kindObject, "an object of package: constraint"},
	{"replace", kindObject, "an object of package: constraint"},
	{"provide", kindObject, "an object of package: constraint"},
	{"suggest", kindObject, "an object of package: description"},
	{"autoload", kindObject, "an object"},
	{"autoload-dev", kindObject, "an object"},
	{"include-path", kindArray, "an array of strings"},
	{"target-dir", kindString, "a string"},
	{"bin", kindString | kindArray, "a string or an array of strings"},
	{"extra", kindObject | kindArray, "an object"},
	{"scripts", kindObject, "an object"},
	{"config", kindObject, "an object"},
	{"archive", kindObject, "an object"},
	{"abandoned", kindBool | kindString, "a boolean or a replacement package name"},
	{"non-feature-branches", kindArray, "an array of strings"},
	{"minimum-stability", kindString, "a string"},
	{"prefer-stable", kindBool, "a boolean"},
	{"repositories", kindObject | kindArray, "an object or an array"},
	{"default-branch", kindBool, "a boolean"},
	{"php-ext", kindObject, "an object"},
}

// linkTypes are the package-link sections, in Composer's order.
var linkTypes = []string{"require", "require-dev", "conflict", "replace", "provide"}
