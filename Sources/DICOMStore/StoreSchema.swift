import GRDB

/// The index schema: one table `instance` (rows of ``StoredInstance``), grown by named migrations.
extension DICOMStore {
    /// Named migrations of the index schema (GRDB DatabaseMigrator).
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-instances") { db in
            try db.create(table: "instance") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("sopInstanceUID", .text).notNull().indexed()
                t.column("sopClassUID", .text).notNull()
                t.column("transferSyntaxUID", .text).notNull()
                t.column("patientID", .text).notNull().indexed()
                t.column("patientName", .text)
                t.column("patientBirthDate", .text)
                t.column("patientSex", .text)
                t.column("studyInstanceUID", .text).notNull().indexed()
                t.column("studyDate", .text)
                t.column("studyDescription", .text)
                t.column("accessionNumber", .text)
                t.column("seriesInstanceUID", .text).notNull().indexed()
                t.column("modality", .text)
                t.column("seriesNumber", .integer)
                t.column("instanceNumber", .integer)
                t.column("size", .integer).notNull()
                t.column("sha256", .text).notNull().unique()
                t.column("path", .text).notNull().unique()
                t.column("conflict", .boolean).notNull().defaults(to: false)
                t.column("sourceKind", .text).notNull()
                t.column("sourceLocation", .text).notNull()
                t.column("sourceFileSetID", .text)
                t.column("sourceFileSetUID", .text)
                t.column("sourceFileID", .text)
                t.column("sourcePath", .text).notNull()
                t.column("importedAt", .text).notNull()
            }
        }
        m.registerMigration("v2-series-description-body-part") { db in
            try db.alter(table: "instance") { t in
                t.add(column: "seriesDescription", .text)
                t.add(column: "bodyPartExamined", .text)
            }
        }
        return m
    }
}
