import DICOMCore
import DICOMIO
import FileSystem
import Glibc

/// One instance retrieved by WADO-RS: where it was written, its SOP Instance UID and transfer syntax.
public struct RetrievedInstance: Sendable, Equatable {
    public var path: String
    public var sopInstanceUID: String
    public var transferSyntaxUID: String
}

/// Writes the parts of a WADO-RS multipart response (PS3.18 §10.4.1.1.1) into a folder, each atomically: its
/// bytes go to a hidden temporary file, which is synced and renamed to `<SOP Instance UID>.dcm` once the
/// part is complete and its File Meta names the instance. A part that is not DICOM is removed and refused.
struct WADOPartWriter {
    let folder: String
    let source: String?
    var fd: Int32 = -1
    var temporary: String?
    var index = 0
    var written: [RetrievedInstance] = []

    init(folder: String, source: String?) { self.folder = folder; self.source = source }

    mutating func handle(_ event: MultipartEvent) throws(NetworkError) {
        switch event {
        case .partBegin(let headers):
            if let ct = headers.first(where: { $0.name == "content-type" }).flatMap({ MediaType.parse($0.value) }), ct.essence != "application/dicom" {
                throw NetworkError(
                    .wadoPart, "part \(index + 1) is \(ct.essence), not application/dicom", context: ErrorContext(path: source, rule: "PS3.18 §10.4"))
            }
            index += 1
            let t = folder + "/.wado-\(getpid())-\(index).partial"
            fd = open(t, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw NetworkError(.webFile, "cannot create a file for a retrieved part", path: t, cause: SystemErrno.current("open")) }
            temporary = t
        case .body(let bytes):
            guard let t = temporary else { return }
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeBytes { p in write(fd, p.baseAddress! + done, bytes.count - done) }
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw NetworkError(.webFile, "cannot write a retrieved part", path: t, cause: SystemErrno.current("write")) }
                done += n
            }
        case .partEnd:
            guard let t = temporary else { return }
            let synced = fsync(fd) == 0
            let err = SystemErrno.current("fsync")
            close(fd); fd = -1
            guard synced else { throw NetworkError(.webFile, "cannot write a retrieved part", path: t, cause: err) }
            let file: DICOMFile
            do { file = try Part10Reader.read(path: t, options: ReadOptions(stopBefore: .specificCharacterSet)) } catch {
                throw NetworkError(
                    .wadoPart, "part \(index) is not a DICOM Part 10 file", context: ErrorContext(path: source, rule: "PS3.18 §10.4"), cause: error)
            }
            guard let uid = file.fileMeta.string(.mediaStorageSOPInstanceUID) ?? file.dataSet.string(.sopInstanceUID),
                let checked = try? QIDOQuery.checkedUID(uid)
            else {
                throw NetworkError(.wadoPart, "part \(index) has no valid SOP Instance UID", context: ErrorContext(path: source, rule: "PS3.18 §10.4"))
            }
            let final = folder + "/" + checked + ".dcm"
            guard rename(t, final) == 0 else {
                throw NetworkError(.webFile, "cannot rename a retrieved part", path: final, cause: SystemErrno.current("rename"))
            }
            temporary = nil
            fsyncPath(folder)
            written.append(RetrievedInstance(path: final, sopInstanceUID: checked, transferSyntaxUID: file.transferSyntax.uid))
        }
    }

    /// Removes the part being written, after an error.
    mutating func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        if let t = temporary { unlink(t) }
        temporary = nil
    }
}
