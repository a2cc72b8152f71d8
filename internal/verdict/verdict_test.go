package verdict

import "testing"

func TestCombine(t *testing.T) {
	cases := []struct {
		in   []Status
		want Status
	}{
		{nil, Unverified}, // nothing judged never passes
		{[]Status{Pass}, Pass},
		{[]Status{Pass, NA}, Pass},
		{[]Status{NA, NA}, NA},
		{[]Status{Pass, Unverified}, Unverified},
		{[]Status{Pass, Error, Unverified}, Error},
		{[]Status{Error, Fail}, Fail},
		{[]Status{Manual, Pass}, Manual},
	}
	for _, c := range cases {
		if got := Combine(c.in...); got != c.want {
			t.Errorf("Combine(%v) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestFailOn(t *testing.T) {
	if _, err := ParseFailOn("urgent"); err == nil {
		t.Error("urgent accepted")
	}
	none, _ := ParseFailOn("NONE")
	if Critical.AtOrAbove(none) {
		t.Error("none gates nothing")
	}
	high, _ := ParseFailOn("high")
	if !Critical.AtOrAbove(high) || !High.AtOrAbove(high) || Medium.AtOrAbove(high) {
		t.Error("priority order wrong")
	}
}
