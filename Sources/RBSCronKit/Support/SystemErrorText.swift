import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system's own words for a failed file operation ("No such file or directory", "Permission denied"), never
/// Foundation's "The operation could not be completed. (NSCocoaErrorDomain error 512.)".
public enum SystemErrorText {
    /// `strerror` of an errno value.
    public static func errno(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// A Foundation file error in the system's words: its POSIX cause when it carries one, else the closest
    /// plain description of its code.
    public static func describe(_ error: any Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return errno(Int32(ns.code)) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return errno(Int32(underlying.code))
        }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return errno(ENOENT)
            case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return errno(EACCES)
            case NSFileWriteOutOfSpaceError: return errno(ENOSPC)
            case NSFileWriteVolumeReadOnlyError: return errno(EROFS)
            case NSFileWriteFileExistsError: return errno(EEXIST)
            case NSFileReadTooLargeError: return errno(EFBIG)
            default: return "the file system refused the operation (Foundation error \(ns.code))"
            }
        }
        return ns.localizedDescription
    }
}
