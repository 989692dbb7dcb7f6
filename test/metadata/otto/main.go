// Command otto evaluates Sensu asset build filters with otto, the ES5 interpreter Sensu agents
// run them in, the way sensu-go does it (asset/filtered_manager.go, js/js.go): `entity` is set
// on the VM, each filter is run as a program, its value converted with ToBoolean, and an error
// ends the evaluation of the build. Input on stdin, output on stdout, both JSON:
//
//	{"builds": [{"name": "...", "filters": ["..."]}], "hosts": [{"label": "...", "entity": {...}}]}
//	{"<label>": {"matches": ["<build>", ...], "errors": ["<build>: <error>", ...]}}
package main

import (
	"encoding/json"
	"os"

	"github.com/robertkrimen/otto"
)

type build struct {
	Name    string   `json:"name"`
	Filters []string `json:"filters"`
}

type host struct {
	Label  string                 `json:"label"`
	Entity map[string]interface{} `json:"entity"`
}

type result struct {
	Matches []string `json:"matches"`
	Errors  []string `json:"errors"`
}

// matches reports whether every filter of b is truthy for the entity set on vm.
func matches(vm *otto.Otto, b build) (bool, error) {
	for _, filter := range b.Filters {
		value, err := vm.Run(filter)
		if err != nil {
			return false, err
		}
		if ok, _ := value.ToBoolean(); !ok {
			return false, nil
		}
	}
	return true, nil
}

func main() {
	var input struct {
		Builds []build `json:"builds"`
		Hosts  []host  `json:"hosts"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&input); err != nil {
		os.Stderr.WriteString("otto: bad input: " + err.Error() + "\n")
		os.Exit(2)
	}
	output := map[string]result{}
	for _, h := range input.Hosts {
		vm := otto.New()
		if err := vm.Set("entity", h.Entity); err != nil {
			os.Stderr.WriteString("otto: " + err.Error() + "\n")
			os.Exit(2)
		}
		r := result{Matches: []string{}, Errors: []string{}}
		for _, b := range input.Builds {
			ok, err := matches(vm, b)
			if err != nil {
				r.Errors = append(r.Errors, b.Name+": "+err.Error())
			} else if ok {
				r.Matches = append(r.Matches, b.Name)
			}
		}
		output[h.Label] = r
	}
	if err := json.NewEncoder(os.Stdout).Encode(output); err != nil {
		os.Exit(2)
	}
}
