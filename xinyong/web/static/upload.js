// 数据报送: show upload progress, then "importing" while the server validates and stores the
// file. Without this script the form still posts normally.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest) return;
  const box = document.getElementById("upload-progress");
  const bar = document.getElementById("upload-bar");
  const status = document.getElementById("upload-status");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    box.hidden = false;
    status.textContent = "正在上传……";
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) {
        bar.value = Math.round((e.loaded / e.total) * 100);
        status.textContent = `正在上传 ${bar.value}%`;
      }
    });
    xhr.upload.addEventListener("load", () => {
      bar.removeAttribute("value");  // indeterminate while the server imports
      status.textContent = "上传完成，正在校验和导入，请勿关闭页面……";
    });
    xhr.addEventListener("load", () => {
      if (xhr.responseURL && xhr.responseURL !== form.action && xhr.status < 400) {
        window.location.assign(xhr.responseURL);
      } else {
        document.open();
        document.write(xhr.responseText);
        document.close();
      }
    });
    xhr.addEventListener("error", () => {
      button.disabled = false;
      status.textContent = "网络错误，文件未导入，请重试";
    });
    xhr.send(new FormData(form));
  });
});
