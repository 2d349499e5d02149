// resnet_model.js - torchvision's ResNet-18 (models.resnet18: BasicBlock, [2, 2, 2, 2], same parameter names) from
// nodetorch's nn layers, for the benchmarks that need the model without bench/resnet.js's timing run.
'use strict';

module.exports = function makeResNet18(torch, numClasses = 1000) {
  const { nn } = torch;
  class BasicBlock extends nn.Module {
    constructor(inp, planes, stride) {
      super();
      this.conv1 = new nn.Conv2d(inp, planes, 3, { stride, padding: 1, bias: false });
      this.bn1 = new nn.BatchNorm2d(planes);
      this.relu = new nn.ReLU({ inplace: true });
      this.conv2 = new nn.Conv2d(planes, planes, 3, { padding: 1, bias: false });
      this.bn2 = new nn.BatchNorm2d(planes);
      if (stride !== 1 || inp !== planes) this.downsample = new nn.Sequential(new nn.Conv2d(inp, planes, 1, { stride, bias: false }), new nn.BatchNorm2d(planes));
      else this.downsample = null;
    }
    forward(x) {
      let out = this.relu.call(this.bn1.call(this.conv1.call(x)));
      out = this.bn2.call(this.conv2.call(out));
      out = out.add_(this.downsample ? this.downsample.call(x) : x);
      return this.relu.call(out);
    }
  }
  class ResNet18 extends nn.Module {
    constructor() {
      super();
      this.conv1 = new nn.Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
      this.bn1 = new nn.BatchNorm2d(64);
      this.relu = new nn.ReLU({ inplace: true });
      this.maxpool = new nn.MaxPool2d(3, { stride: 2, padding: 1 });
      const layer = (inp, planes, stride) => new nn.Sequential(new BasicBlock(inp, planes, stride), new BasicBlock(planes, planes, 1));
      this.layer1 = layer(64, 64, 1);
      this.layer2 = layer(64, 128, 2);
      this.layer3 = layer(128, 256, 2);
      this.layer4 = layer(256, 512, 2);
      this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
      this.fc = new nn.Linear(512, numClasses);
    }
    forward(x) {
      x = this.maxpool.call(this.relu.call(this.bn1.call(this.conv1.call(x))));
      x = this.layer4.call(this.layer3.call(this.layer2.call(this.layer1.call(x))));
      return this.fc.call(torch.flatten(this.avgpool.call(x), 1));
    }
  }
  return new ResNet18();
};
