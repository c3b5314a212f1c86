package azdo

import (
	"errors"
	"testing"
)

func TestVersionsFromLocations(t *testing.T) {
	loc := func(id, maxV, rel string) ResourceLocation {
		return ResourceLocation{ID: id, Area: "wit", ResourceName: "r", MinVersion: "1.0", MaxVersion: maxV, ReleasedVersion: rel, ResourceVersion: 2}
	}
	const projects, states = "603fe2ac-9723-48b9-88ad-09305aa6c6e1", "7c9d7a76-4a09-43e8-b5df-bd792f4ac6aa"
	t.Run("TFS2018IsTooOld", func(t *testing.T) {
		_, err := versionsFromLocations([]ResourceLocation{loc(projects, "4.1", "4.1")})
		if !errors.Is(err, ErrServerTooOld) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("PreviewAboveReleased", func(t *testing.T) {
		// Server 2020 Update 1 lists 6.1 in preview and 6.0 released.
		v, err := versionsFromLocations([]ResourceLocation{loc(projects, "6.1", "6.0"), loc(states, "6.1", "0.0")})
		if err != nil {
			t.Fatal(err)
		}
		if v.Server != "6.1" || v.Negotiated != "6.0" || v.Routes["wit/workitemtypes/{type}/states"] != "6.1-preview.2" || len(v.Routes) != 1 {
			t.Errorf("versions %+v", v)
		}
	})
	t.Run("ServicesStaysAtOurs", func(t *testing.T) {
		v, err := versionsFromLocations([]ResourceLocation{loc(projects, "7.2", "7.1"), loc(states, "7.2", "7.1")})
		if err != nil || v.Negotiated != APIVersion || len(v.Routes) != 0 {
			t.Errorf("versions %+v, %v", v, err)
		}
	})
}

func TestLatestFromMessage(t *testing.T) {
	for msg, want := range map[string]string{
		"The requested REST API version of 7.1 is out of range for this server. The latest REST API version this server supports is 5.0.":           "5.0",
		"VS800071: The requested REST API version of 7.2 is out of range for this server. The latest REST API version this server supports is 6.1.": "6.1",
		"The latest REST API version supported by this server is 5.1":                                                                               "5.1",
	} {
		v, ok := latestFromMessage(msg)
		if !ok || v.String() != want {
			t.Errorf("%q → %v %v, want %s", msg, v, ok, want)
		}
	}
	if _, ok := latestFromMessage("TF400813: not authorized"); ok {
		t.Error("found a version in an unrelated message")
	}
	if _, err := versionsFromLatest(Version{4, 1}); !errors.Is(err, ErrServerTooOld) {
		t.Errorf("4.1: %v", err)
	}
}
