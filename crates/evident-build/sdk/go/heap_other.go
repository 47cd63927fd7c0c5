//go:build !wasip1

package evident

// collectIfDue does nothing outside a component: the collector runs as usual.
func collectIfDue() {}
