package config

import "sort"

func sortStable(keys []string, less func(a, b string) bool) {
	sort.SliceStable(keys, func(i, j int) bool { return less(keys[i], keys[j]) })
}
