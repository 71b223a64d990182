namespace Concierge.DBus.Server;

/// <summary>A named argument of a method or signal.</summary>
/// <param name="Name">Argument name for introspection.</param>
/// <param name="Type">Its single complete type.</param>
public sealed record ArgumentDescription(string Name, string Type);
