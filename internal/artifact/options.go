package artifact

// Default limits. They are generous for PHP packages (the largest on Packagist
// are a few tens of MiB unpacked) and small enough that one upload cannot
// exhaust a server's disk, memory or CPU.
const (
	DefaultMaxArchiveSize       = 64 << 20  // 64 MiB, the upload itself
	DefaultMaxFileSize          = 32 << 20  // 32 MiB per entry, uncompressed
	DefaultMaxFiles             = 20_000    // entries, counting folders
	DefaultMaxTotalUncompressed = 256 << 20 // 256 MiB for all entries together
	// DefaultMaxCompressionRatio: deflate tops out near 1032:1, which is
	// where bombs live; source code, JSON fixtures and minified assets stay
	// far below 100:1.
	DefaultMaxCompressionRatio = 200
)

// ratioMinSize exempts small entries from the compression ratio guard: a
// few hundred KiB of blank lines compress extremely well and are harmless.
const ratioMinSize = 1 << 20

// Options bounds what Inspect and Repack accept. A zero (or negative) field
// takes its Default* value; limits cannot be switched off.
type Options struct {
	// MaxArchiveSize bounds the zip file itself.
	MaxArchiveSize int64
	// MaxFileSize bounds each entry's uncompressed size.
	MaxFileSize int64
	// MaxFiles bounds the number of entries (files, folders and junk such
	// as __MACOSX/ alike).
	MaxFiles int64
	// MaxTotalUncompressed bounds the sum of all entries' uncompressed
	// sizes.
	MaxTotalUncompressed int64
	// MaxCompressionRatio bounds uncompressed/compressed size for entries
	// over 1 MiB uncompressed.
	MaxCompressionRatio int64
}

func (o Options) withDefaults() Options {
	def := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.MaxArchiveSize, DefaultMaxArchiveSize)
	def(&o.MaxFileSize, DefaultMaxFileSize)
	def(&o.MaxFiles, DefaultMaxFiles)
	def(&o.MaxTotalUncompressed, DefaultMaxTotalUncompressed)
	def(&o.MaxCompressionRatio, DefaultMaxCompressionRatio)
	return o
}
