using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace UnrolledGan.Deploy.Tests;

/// <summary>
/// A YAML node addressed by path, so that a test reads like the manifest (<c>pod["spec"]["containers"]</c>) and a
/// missing field fails with the path that is missing rather than a null reference.
/// </summary>
public readonly record struct Yaml(YamlNode? Node, string Path)
{
    public Yaml this[string key] => new(
        Node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null,
        $"{Path}.{key}");

    public bool Exists => Node is not null;

    public string Text => Node is YamlScalarNode scalar
        ? scalar.Value ?? ""
        : throw new InvalidOperationException($"{Path} is {(Node is null ? "missing" : "not a scalar")}");

    public string? TextOrNull => Node is YamlScalarNode scalar ? scalar.Value : null;

    public int Int => int.TryParse(Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
        ? value
        : throw new InvalidOperationException($"{Path} is '{Text}', not an integer");

    public IReadOnlyList<Yaml> Items
    {
        get
        {
            string path = Path;
            return Node switch
            {
                YamlSequenceNode sequence => sequence.Children.Select((child, i) => new Yaml(child, $"{path}[{i}]")).ToArray(),
                null => [],
                _ => throw new InvalidOperationException($"{path} is not a list"),
            };
        }
    }

    public IReadOnlyList<KeyValuePair<string, Yaml>> Entries
    {
        get
        {
            string path = Path;
            return Node switch
            {
                YamlMappingNode map => map.Children
                    .Select(entry => (Key: ((YamlScalarNode)entry.Key).Value ?? "", entry.Value))
                    .Select(entry => new KeyValuePair<string, Yaml>(entry.Key, new Yaml(entry.Value, $"{path}.{entry.Key}")))
                    .ToArray(),
                null => [],
                _ => throw new InvalidOperationException($"{path} is not a mapping"),
            };
        }
    }

    public IReadOnlyDictionary<string, string> TextMap => Entries.ToDictionary(e => e.Key, e => e.Value.Text);

    /// <summary>Every document of a YAML stream (documents separated by ---), in order.</summary>
    public static IReadOnlyList<Yaml> LoadAll(string text, string source)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Select((d, i) => new Yaml(d.RootNode, $"{source}#{i}")).ToArray();
    }

    public static Yaml Load(string text, string source) => LoadAll(text, source) switch
    {
        [var single] => single,
        var all => throw new InvalidOperationException($"{source} holds {all.Count} YAML documents, not one"),
    };
}
