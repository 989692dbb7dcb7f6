// Command sensuctl reads a file the way `sensuctl create -f` does (sensu-go cli/resource/parse.go,
// v6.12.0): the text is cut into parts at every line that starts with "---", each non-empty part
// is converted from YAML to JSON with github.com/ghodss/yaml (over gopkg.in/yaml.v2, the libraries
// sensuctl links) unless it already looks like JSON, and every JSON value in it is decoded as one
// resource wrapper. It prints, as JSON, one entry per resource: its wrapper fields and spec as
// sensuctl decodes them, or the error sensuctl would meet.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"

	"github.com/ghodss/yaml"
)

type wrapper struct {
	Type       string `json:"type"`
	APIVersion string `json:"api_version"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec json.RawMessage `json:"spec"`
}

type entry struct {
	Type       string          `json:"type,omitempty"`
	APIVersion string          `json:"api_version,omitempty"`
	Name       string          `json:"name,omitempty"`
	Spec       json.RawMessage `json:"spec,omitempty"`
	Error      string          `json:"error,omitempty"`
}

var looksLikeJSON = regexp.MustCompile(`^(\s)*[\{\[]`)

// parts cuts the text at lines starting with "---", keeping every part that is not empty.
func parts(text []byte) ([]string, error) {
	var out []string
	current := ""
	scanner := bufio.NewScanner(bytes.NewReader(text))
	for scanner.Scan() {
		line := scanner.Text()
		if strings.HasPrefix(line, "---") {
			if current != "" {
				out = append(out, current)
			}
			current = ""
			continue
		}
		current += line + "\n"
	}
	if current != "" {
		out = append(out, current)
	}
	return out, scanner.Err()
}

func main() {
	text, err := os.ReadFile(os.Args[1])
	if err != nil {
		os.Stderr.WriteString("sensuctl: " + err.Error() + "\n")
		os.Exit(2)
	}
	split, err := parts(text)
	if err != nil {
		os.Stderr.WriteString("sensuctl: " + err.Error() + "\n")
		os.Exit(2)
	}
	entries := []entry{}
	for _, part := range split {
		data := []byte(part)
		if !looksLikeJSON.Match(data) {
			if data, err = yaml.YAMLToJSON(data); err != nil {
				entries = append(entries, entry{Error: "error parsing resources: " + err.Error()})
				continue
			}
		}
		decoder := json.NewDecoder(bytes.NewReader(data))
		for decoder.More() {
			var w *wrapper
			if err := decoder.Decode(&w); err != nil {
				entries = append(entries, entry{Error: err.Error()})
				break
			}
			if w == nil {
				entries = append(entries, entry{Error: "null: not a resource"})
				continue
			}
			entries = append(entries, entry{Type: w.Type, APIVersion: w.APIVersion, Name: w.Metadata.Name, Spec: w.Spec})
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(entries); err != nil {
		os.Exit(2)
	}
}
