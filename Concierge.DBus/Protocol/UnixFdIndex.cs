namespace Concierge.DBus.Protocol;

/// <summary>
/// The raw wire value of a <c>h</c> (UNIX_FD): an index into the fds carried by the message.
/// Generic value reads return it; <see cref="Message.TakeUnixFd"/> turns it into an owned handle.
/// </summary>
/// <param name="Index">Position of the fd in the message's fd array.</param>
public readonly record struct UnixFdIndex(uint Index);
