#pragma once

// The curl commands of the public Add Media API guide, kept verbatim as data. The test runs
// each one through bash after replacing only the placeholders below, so that a change in the
// API that breaks a user's copy of a command fails here.
//
// Placeholders the test replaces:
//   https://app.visual-layer.com, http://localhost:2080   base URL of the test's server
//   <jwt>                                                 a token the test mints
//   <dataset_id>, 54c51218-db7a-11f0-b8bd-ea1ec7478511    id of a dataset the test created
//   /path/to/, /data/new_images                           folders of media the test wrote

namespace Accrete::ApiDocs {

// Step 1: list the datasets.
inline constexpr char listDatasets[] = R"(curl -H "Authorization: Bearer <jwt>" \
  https://app.visual-layer.com/api/v1/datasets)";

// Step 2: retrieve one dataset and its status_new.
inline constexpr char getDataset[] = R"(curl -H "Authorization: Bearer <jwt>" \
  https://app.visual-layer.com/api/v1/dataset/<dataset_id>)";

// Step 3: add media from an S3 folder.
inline constexpr char addFromS3[] = R"(curl -X POST \
  -H "Authorization: Bearer <jwt>" \
  -F "s3_uri=s3://your-bucket/path/to/media/folder/" \
  https://app.visual-layer.com/api/v1/dataset/<dataset_id>/add_media)";

// The guide's worked example: videos from a named S3 folder into a named dataset.
inline constexpr char workingExampleAdd[] = R"(curl -X POST \
  -H "Authorization: Bearer <jwt>" \
  -F "s3_uri=s3://visual-layer/datasets/tiktok_users/amit46473/" \
  https://app.visual-layer.com/api/v1/dataset/54c51218-db7a-11f0-b8bd-ea1ec7478511/add_media)";

inline constexpr char workingExamplePoll[] = R"(curl -H "Authorization: Bearer <jwt>" \
  https://app.visual-layer.com/api/v1/dataset/54c51218-db7a-11f0-b8bd-ea1ec7478511)";

inline constexpr char addFromS3WithAutoReindex[] = R"(curl -X POST \
  -H "Authorization: Bearer <jwt>" \
  -F "s3_uri=s3://your-bucket/path/to/media/" \
  -F "auto_reindex=true" \
  https://app.visual-layer.com/api/v1/dataset/<dataset_id>/add_media)";

// The S3 source line of addFromS3WithAutoReindex. The test swaps it for archiveSourceLine or
// the file lines of directUpload to add local media with auto_reindex.
inline constexpr char autoReindexS3SourceLine[] = R"(-F "s3_uri=s3://your-bucket/path/to/media/")";

inline constexpr char manualReindex[] = R"(curl -X POST \
  -H "Authorization: Bearer <jwt>" \
  https://app.visual-layer.com/api/v1/dataset/<dataset_id>/reindex)";

inline constexpr char directUpload[] = R"(curl -X POST \
  -H "Authorization: Bearer <jwt>" \
  -F "files=@/path/to/image1.jpg" \
  -F "files=@/path/to/image2.jpg" \
  -F "files=@/path/to/video.mp4" \
  https://app.visual-layer.com/api/v1/dataset/<dataset_id>/add_media)";

inline constexpr char archiveUpload[] = R"(curl -X POST \
  -H "Authorization: Bearer <jwt>" \
  -F "archive=@/path/to/media.zip" \
  https://app.visual-layer.com/api/v1/dataset/<dataset_id>/add_media)";

// The source line of archiveUpload.
inline constexpr char archiveSourceLine[] = R"(-F "archive=@/path/to/media.zip")";

inline constexpr char crossAccountS3[] = R"(curl -X POST \
  -H "Authorization: Bearer <jwt>" \
  -F "s3_uri=s3://external-bucket/images/" \
  -F "assume_role=arn:aws:iam::123456789012:role/VisualLayerAccess" \
  https://app.visual-layer.com/api/v1/dataset/<dataset_id>/add_media)";

// On-premises pipeline service: add the media of a server-side folder.
inline constexpr char onPremisesAddMedia[] =
    R"(curl "http://localhost:2080/api/v1/process/add_media?dataset_id=<dataset_id>&path=/data/new_images")";

// On-premises pipeline service: create a dataset from a server-side folder. The guide has no
// command for it, so this one follows the form of onPremisesAddMedia.
inline constexpr char onPremisesCreate[] =
    R"(curl "http://localhost:2080/api/v1/process?path=/data/new_images&name=<dataset_name>")";

} // namespace Accrete::ApiDocs
