namespace Concierge.Guest.Config;

/// <summary>A configuration file or kernel argument is missing, unreadable or invalid.</summary>
internal sealed class ConfigException(string message, Exception? inner = null) : Exception(message, inner);
