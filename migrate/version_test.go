package migrate

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckVersionAcceptsStrictSemver(t *testing.T) {
	for _, v := range []string{"0.0.0", "0.0.1", "1.0.0", "1.2.3", "10.20.30", "999999999999999999999.0.0"} {
		if err := checkVersion("v", v); err != nil {
			t.Errorf("checkVersion(%q) = %v, want nil", v, err)
		}
	}
}

func TestCheckVersionRefusesAndNames(t *testing.T) {
	for _, v := range []string{"", "1", "1.2", "v1.2.3", "1.2.3-rc.1", "1.2.3+build", "01.2.3", "1.02.3", "1.2.x", " 1.2.3", "1.2.3.4", "-1.0.0"} {
		err := checkVersion("thing", v)
		if !errors.Is(err, ErrInvalidVersion) {
			t.Errorf("checkVersion(%q) = %v, want ErrInvalidVersion", v, err)
			continue
		}
		if !strings.Contains(err.Error(), `"`+v+`"`) {
			t.Errorf("error %q does not name %q", err, v)
		}
	}
}

func TestCompareVersionsIsNumeric(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"1.10.0", "1.9.0", 1},
		{"1.9.9", "2.0.0", -1},
		{"2.0.0", "2.0.0", 0},
		{"0.0.10", "0.0.9", 1},
		{"", "0.0.0", -1},
		{"0.0.1", "", 1},
		{"", "", 0},
	}
	for _, c := range cases {
		if got := compareVersions(c.a, c.b); got != c.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
