package semver

// Semver::sort compares with Comparator::lessThan, which never orders two
// dev branches (each is "greater" than the other). The outcome then depends
// on the sorting algorithm, so this file reproduces PHP's usort exactly:
// zend_sort (insertion sort up to 16 elements, quicksort above) with PHP 8's
// fallback to the original order for elements that compare equal.

// SortVersions sorts pretty or normalized versions in ascending order, in
// place, exactly like Semver::sort: by normalized version, with dev-master,
// dev-default and dev-trunk above every numbered version. Versions Normalize
// rejects (composer would throw) are moved to the end in their input order;
// use SortVersionsStrict to get the error instead.
func SortVersions(vs []string) { sortLenient(vs, 1) }

// RSortVersions is SortVersions in descending order (Semver::rsort).
func RSortVersions(vs []string) { sortLenient(vs, -1) }

// SortVersionsStrict is SortVersions that fails, leaving vs untouched, when a
// version cannot be normalized.
func SortVersionsStrict(vs []string) error {
	items, err := sortItems(vs)
	if err != nil {
		return err
	}
	applySort(vs, items, 1)
	return nil
}

// RSortVersionsStrict is RSortVersions that fails like SortVersionsStrict.
func RSortVersionsStrict(vs []string) error {
	items, err := sortItems(vs)
	if err != nil {
		return err
	}
	applySort(vs, items, -1)
	return nil
}

type sortItem struct {
	norm   string
	value  string
	index  int // position in the input: PHP's stable-sort tie breaker
	branch bool
	fast   bool
	parts  []part // norm read once for the fast comparison path
}

func newSortItem(norm, value string, index int) sortItem {
	it := sortItem{norm: norm, value: value, index: index, branch: isBranch(norm)}
	var p probe
	if p.parse(norm) {
		it.fast, it.parts = true, append([]part(nil), p.list()...)
	}
	return it
}

// lessThan is Comparator::lessThan(a.norm, b.norm).
func (a *sortItem) lessThan(b *sortItem) bool {
	if a.branch && b.branch {
		return false
	}
	if a.fast && b.fast {
		return compareParts(a.parts, b.parts) < 0
	}
	return phpVersionCompare(a.norm, b.norm) < 0
}

func sortItems(vs []string) ([]sortItem, error) {
	items := make([]sortItem, len(vs))
	for i, v := range vs {
		n, err := Normalize(v)
		if err != nil {
			return nil, err
		}
		items[i] = newSortItem(NormalizeDefaultBranch(n), v, i)
	}
	return items, nil
}

func sortLenient(vs []string, direction int) {
	items := make([]sortItem, 0, len(vs))
	var invalid []string
	for _, v := range vs {
		n, err := Normalize(v)
		if err != nil {
			invalid = append(invalid, v)
			continue
		}
		items = append(items, newSortItem(NormalizeDefaultBranch(n), v, len(items)))
	}
	applySort(vs[:len(items)], items, direction)
	copy(vs[len(items):], invalid)
}

func applySort(vs []string, items []sortItem, direction int) {
	cmp := func(i, j int) int {
		a, b := &items[i], &items[j]
		if a.norm != b.norm {
			if a.lessThan(b) {
				return -direction
			}
			return direction
		}
		switch {
		case a.index < b.index:
			return -1
		case a.index > b.index:
			return 1
		}
		return 0
	}
	swap := func(i, j int) { items[i], items[j] = items[j], items[i] }
	zendSort(0, len(items), cmp, swap)
	for i := range items {
		vs[i] = items[i].value
	}
}

// zendSort is Zend/zend_sort.c's zend_sort on the index range [base, base+n).
func zendSort(base, n int, cmp func(i, j int) int, swap func(i, j int)) {
	for {
		if n <= 16 {
			zendInsertSort(base, n, cmp, swap)
			return
		}
		start, end := base, base+n
		offset := n >> 1
		pivot := start + offset
		if n>>10 != 0 {
			delta := offset >> 1
			zendSort5(start, start+delta, pivot, pivot+delta, end-1, cmp, swap)
		} else {
			zendSort3(start, pivot, end-1, cmp, swap)
		}
		swap(start+1, pivot)
		pivot = start + 1
		i, j := pivot+1, end-1
	partition:
		for {
			for cmp(pivot, i) > 0 {
				i++
				if i == j {
					break partition
				}
			}
			j--
			if j == i {
				break
			}
			for cmp(j, pivot) > 0 {
				j--
				if j == i {
					break partition
				}
			}
			swap(i, j)
			i++
			if i == j {
				break
			}
		}
		swap(pivot, i-1)
		if (i-1)-start < end-i {
			zendSort(start, i-start-1, cmp, swap)
			base, n = i, end-i
		} else {
			zendSort(i, end-i, cmp, swap)
			base, n = start, i-start-1
		}
	}
}

func zendSort2(a, b int, cmp func(i, j int) int, swap func(i, j int)) {
	if cmp(a, b) > 0 {
		swap(a, b)
	}
}

func zendSort3(a, b, c int, cmp func(i, j int) int, swap func(i, j int)) {
	if cmp(a, b) <= 0 {
		if cmp(b, c) <= 0 {
			return
		}
		swap(b, c)
		if cmp(a, b) > 0 {
			swap(a, b)
		}
		return
	}
	if cmp(c, b) <= 0 {
		swap(a, c)
		return
	}
	swap(a, b)
	if cmp(b, c) > 0 {
		swap(b, c)
	}
}

func zendSort4(a, b, c, d int, cmp func(i, j int) int, swap func(i, j int)) {
	zendSort3(a, b, c, cmp, swap)
	if cmp(c, d) > 0 {
		swap(c, d)
		if cmp(b, c) > 0 {
			swap(b, c)
			if cmp(a, b) > 0 {
				swap(a, b)
			}
		}
	}
}

func zendSort5(a, b, c, d, e int, cmp func(i, j int) int, swap func(i, j int)) {
	zendSort4(a, b, c, d, cmp, swap)
	if cmp(d, e) > 0 {
		swap(d, e)
		if cmp(c, d) > 0 {
			swap(c, d)
			if cmp(b, c) > 0 {
				swap(b, c)
				if cmp(a, b) > 0 {
					swap(a, b)
				}
			}
		}
	}
}

// zendInsertSort is zend_insert_sort: sorting networks up to 5 elements,
// then an insertion sort that probes two elements at a time past the sixth.
func zendInsertSort(base, n int, cmp func(i, j int) int, swap func(i, j int)) {
	switch n {
	case 0, 1:
		return
	case 2:
		zendSort2(base, base+1, cmp, swap)
		return
	case 3:
		zendSort3(base, base+1, base+2, cmp, swap)
		return
	case 4:
		zendSort4(base, base+1, base+2, base+3, cmp, swap)
		return
	case 5:
		zendSort5(base, base+1, base+2, base+3, base+4, cmp, swap)
		return
	}
	start, end := base, base+n
	sentry := start + 6
	for i := start + 1; i < sentry; i++ {
		j := i - 1
		if cmp(j, i) <= 0 {
			continue
		}
		for j != start {
			j--
			if cmp(j, i) <= 0 {
				j++
				break
			}
		}
		for k := i; k > j; k-- {
			swap(k, k-1)
		}
	}
	for i := sentry; i < end; i++ {
		j := i - 1
		if cmp(j, i) <= 0 {
			continue
		}
		for {
			j -= 2
			if cmp(j, i) <= 0 {
				j++
				if cmp(j, i) <= 0 {
					j++
				}
				break
			}
			if j == start {
				break
			}
			if j == start+1 {
				j--
				if cmp(i, j) > 0 {
					j++
				}
				break
			}
		}
		for k := i; k > j; k-- {
			swap(k, k-1)
		}
	}
}
