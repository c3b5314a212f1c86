package ui

import (
	"math"
	"testing"

	"github.com/cairn-okr/cairn"
)

func TestCompact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    float64
		want string
	}{
		{"Zero", 0, "0"},
		{"NegativeZero", math.Copysign(0, -1), "0"},
		{"TinyNegativeRoundsToUnsignedZero", -0.001, "0"},
		{"SmallKeepsTwoDecimals", 2.85, "2.85"},
		{"SmallDropsTrailingZeros", 2.5, "2.5"},
		{"TensKeepOneDecimal", 81.82, "81.8"},
		{"Hundreds", 150.5, "150.5"},
		{"NineNineNine", 999, "999"},
		{"JustBelowAThousandRoundsUp", 999.96, "1k"},
		{"Thousand", 1000, "1k"},
		{"ElevenHundred", 1100, "1.1k"},
		{"TwelveThousand", 12345, "12.3k"},
		{"SixtyThousand", 60000, "60k"},
		{"NearlyHundredThousandRoundsToHundred", 99950, "100k"},
		{"HundredsOfThousandsDropDecimals", 123456, "123k"},
		{"RoundsUpToAMillion", 999950, "1M"},
		{"StaysInThousands", 999499, "999k"},
		{"Million", 1e6, "1M"},
		{"TwoAndAHalfMillion", 2.5e6, "2.5M"},
		{"Billion", 3.25e9, "3.3B"},
		{"Trillion", 1e12, "1T"},
		{"BeyondTrillionsGroups", 1e15, "1,000T"},
		{"Negative", -1200, "−1.2k"},
		{"NegativeSmall", -0.5, "−0.5"},
		{"NaN", math.NaN(), "–"},
		{"PositiveInfinity", math.Inf(1), "–"},
		{"NegativeInfinity", math.Inf(-1), "–"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := compact(tt.v); got != tt.want {
				t.Errorf("compact(%v) = %q, want %q", tt.v, got, tt.want)
			}
		})
	}
}

func TestDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		v      float64
		places int
		want   string
	}{
		{"Zero", 0, 2, "0"},
		{"NineNineNine", 999, 2, "999"},
		{"ThousandGetsASeparator", 1000, 2, "1,000"},
		{"ElevenHundred", 1100, 2, "1,100"},
		{"Millions", 1234567.891, 2, "1,234,567.89"},
		{"TrailingZerosDropped", 0.5, 2, "0.5"},
		{"HalfRoundsAwayFromZero", 0.125, 2, "0.13"},
		{"RoundsUpIntoAThousand", 999.999, 2, "1,000"},
		{"OneDecimal", 81.82, 1, "81.8"},
		{"OneDecimalDropsPointZero", 50.04, 1, "50"},
		{"NoDecimals", 1234.5, 0, "1,235"},
		{"Negative", -1200, 2, "−1,200"},
		{"NegativeRoundsToUnsignedZero", -0.004, 2, "0"},
		{"NaN", math.NaN(), 2, "–"},
		{"Infinity", math.Inf(1), 2, "–"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := decimal(tt.v, tt.places); got != tt.want {
				t.Errorf("decimal(%v, %d) = %q, want %q", tt.v, tt.places, got, tt.want)
			}
		})
	}
}

func TestMetricLabel(t *testing.T) {
	t.Parallel()
	metric := func(kind cairn.MetricKind, current, start, target float64, unit string) cairn.Metric {
		return cairn.Metric{Kind: kind, Current: current, Start: start, Target: target, Unit: unit}
	}
	pctKind, number, money := cairn.MetricPercentage, cairn.MetricNumber, cairn.MetricCurrency
	tests := []struct {
		name          string
		m             cairn.Metric
		compact, full string
	}{
		{"PercentOfAHundredIsTheValueAlone", metric(pctKind, 81.82, 0, 100, "%"), "81.8 %", "81.8 %"},
		{"PercentWithoutUnit", metric(pctKind, 50, 0, 100, ""), "50 %", "50 %"},
		{"PercentZero", metric(pctKind, 0, 0, 100, "%"), "0 %", "0 %"},
		{"PercentOtherTargetShowsBoth", metric(pctKind, 2.84, 2.1, 3.5, "%"), "2.8 / 3.5 %", "2.8 / 3.5 %"},
		{"PercentDecreasing", metric(pctKind, 8.25, 12, 5, "%"), "8.3 / 5 %", "8.3 / 5 %"},
		{"PercentUnitOnANumberMetric", metric(number, 81.82, 0, 100, "%"), "81.8 %", "81.8 %"},
		{"NumberLarge", metric(number, 1100, 0, 60000, ""), "1.1k / 60k", "1,100 / 60,000"},
		{"NumberUnitOnce", metric(number, 18, 0, 40, "stories"), "18 / 40 stories", "18 / 40 stories"},
		{"NumberDecreasing", metric(number, 1100, 1800, 600, "ms"), "1.1k / 600 ms", "1,100 / 600 ms"},
		{"NumberMillions", metric(number, 2.5e6, 0, 1e7, "visits"), "2.5M / 10M visits", "2,500,000 / 10,000,000 visits"},
		{"NumberDecimals", metric(number, 2.857, 0, 3.5, ""), "2.86 / 3.5", "2.86 / 3.5"},
		{"NumberNegative", metric(number, -1200, -5000, 0, "€k"), "−1.2k / 0 €k", "−1,200 / 0 €k"},
		{"CurrencyUSD", metric(money, 1200, 0, 60000, "USD"), "$1.2k / $60k", "$1,200 / $60,000"},
		{"CurrencyWithoutUnitIsDollars", metric(money, 1200, 0, 60000, ""), "$1.2k / $60k", "$1,200 / $60,000"},
		{"CurrencyCodeInLowerCase", metric(money, 999950, 0, 2e6, "eur"), "€1M / €2M", "€999,950 / €2,000,000"},
		{"CurrencyEuroSymbol", metric(money, 1100, 0, 60000, "€"), "€1.1k / €60k", "€1,100 / €60,000"},
		{"CurrencyGBP", metric(money, 750, 0, 1000, "GBP"), "£750 / £1k", "£750 / £1,000"},
		{"CurrencyJPYHasNoCents", metric(money, 1234.5, 0, 5000, "JPY"), "¥1.2k / ¥5k", "¥1,235 / ¥5,000"},
		{"CurrencyCentsShowBothDigits", metric(money, 1234.5, 0, 60000, "USD"), "$1.2k / $60k", "$1,234.50 / $60,000"},
		{"CurrencyOtherCodeWrittenOnceAfter", metric(money, 1200, 0, 60000, "CHF"), "1.2k / 60k CHF", "1,200 / 60,000 CHF"},
		{"CurrencyNegative", metric(money, -1200, 0, 5000, "USD"), "−$1.2k / $5k", "−$1,200 / $5,000"},
		{"NaNSafe", metric(number, math.NaN(), 0, 100, "ms"), "– / 100 ms", "– / 100 ms"},
		{"InfinitySafe", metric(money, math.Inf(1), 0, 100, "USD"), "– / $100", "– / $100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := metricLabel(tt.m, roomCompact); got != tt.compact {
				t.Errorf("compact label %q, want %q", got, tt.compact)
			}
			if got := metricLabel(tt.m, roomFull); got != tt.full {
				t.Errorf("full label %q, want %q", got, tt.full)
			}
		})
	}
}

func TestMetricValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    float64
		m    cairn.Metric
		r    room
		want string
	}{
		{"PercentOneDecimal", 81.82, cairn.Metric{Kind: cairn.MetricPercentage, Unit: "%"}, roomFull, "81.8 %"},
		{"PercentTrailingZeroDropped", 50, cairn.Metric{Kind: cairn.MetricPercentage, Unit: "%"}, roomCompact, "50 %"},
		{"PercentOtherUnit", 12.25, cairn.Metric{Kind: cairn.MetricPercentage, Unit: "pp"}, roomFull, "12.3 pp"},
		{"NumberFull", 1100, cairn.Metric{Kind: cairn.MetricNumber, Unit: "ms"}, roomFull, "1,100 ms"},
		{"NumberCompact", 1100, cairn.Metric{Kind: cairn.MetricNumber, Unit: "ms"}, roomCompact, "1.1k ms"},
		{"CurrencyWholeAmount", 60000, cairn.Metric{Kind: cairn.MetricCurrency, Unit: "GBP"}, roomFull, "£60,000"},
		{"CurrencyCentsRoundedAway", 1200.004, cairn.Metric{Kind: cairn.MetricCurrency, Unit: "USD"}, roomFull, "$1,200"},
		{"NaN", math.NaN(), cairn.Metric{Kind: cairn.MetricCurrency, Unit: "USD"}, roomFull, "–"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := metricValue(tt.v, tt.m, tt.r); got != tt.want {
				t.Errorf("metricValue(%v) = %q, want %q", tt.v, got, tt.want)
			}
		})
	}
}

func TestProgressPercent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, got, want string
	}{
		{"PctRoundsToWhole", pct(0.424), "42 %"},
		{"PctAboveTarget", pct(1.5), "150 %"},
		{"PctTinyNegativeIsZero", pct(-0.001), "0 %"},
		{"PctNaN", pct(math.NaN()), "–"},
		{"PercentOneDecimal", percent(81.82), "81.8 %"},
		{"PercentWhole", percent(50), "50 %"},
		{"PercentInfinity", percent(math.Inf(-1)), "–"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
