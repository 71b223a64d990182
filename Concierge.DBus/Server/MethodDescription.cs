namespace Concierge.DBus.Server;

/// <summary>A method: its in and out arguments. Calls whose signature differs from the in arguments get InvalidArgs before any handler runs.</summary>
public sealed record MethodDescription
{
    /// <summary>Describes a method.</summary>
    public MethodDescription(string name, IReadOnlyList<ArgumentDescription>? inArguments = null, IReadOnlyList<ArgumentDescription>? outArguments = null)
    {
        Name = name;
        In = inArguments ?? [];
        Out = outArguments ?? [];
        InSignature = string.Concat(In.Select(a => a.Type));
        OutSignature = string.Concat(Out.Select(a => a.Type));
    }

    /// <summary>The member name.</summary>
    public string Name { get; }

    /// <summary>In arguments.</summary>
    public IReadOnlyList<ArgumentDescription> In { get; }

    /// <summary>Out arguments.</summary>
    public IReadOnlyList<ArgumentDescription> Out { get; }

    /// <summary>Concatenated in types.</summary>
    public string InSignature { get; }

    /// <summary>Concatenated out types.</summary>
    public string OutSignature { get; }
}
