package main

import (
	"slices"
	"testing"
)

func TestParseCallers(t *testing.T) {
	got, err := parseCallers(" 1,4, 64 ,")
	if err != nil || !slices.Equal(got, []int{1, 4, 64}) {
		t.Fatalf("parseCallers = %v, %v", got, err)
	}
	for _, bad := range []string{"", "0", "1,x", "-3"} {
		if _, err := parseCallers(bad); err == nil {
			t.Errorf("parseCallers(%q) accepted", bad)
		}
	}
}
